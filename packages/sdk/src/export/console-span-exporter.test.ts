import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { ConsoleSpanExporter } from './console-span-exporter.js';

test('prints one JSON line per span with exact times', async () => {
  const lines: string[] = [];
  const exporter = new ConsoleSpanExporter({ stream: { write: (s: string) => lines.push(s) }, includeResource: true });
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('lib', '2.0').startSpan('op', { startTime: [1, 5], attributes: { n: 7 } });
  span.addEvent('ev', { big: 2 ** 40 });
  span.end([2, 0]);
  await provider.shutdown();
  assert.equal(lines.length, 1);
  const view = JSON.parse(lines[0] as string);
  assert.equal(view.name, 'op');
  assert.equal(view.scope, 'lib@2.0');
  assert.equal(view.startTimeUnixNano, '1000000005');
  assert.equal(view.durationNanos, '999999995');
  assert.deepEqual(view.attributes, { n: 7 });
  assert.deepEqual(view.events[0].attributes, { big: 2 ** 40 });
  assert.deepEqual(view.resource, { 'service.name': 'svc' });
  assert.equal((await exporter.export([])).code, 'failed', 'shut down');
});
