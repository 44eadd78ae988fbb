import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Span } from '@ariadne/protocol';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { MultiSpanProcessor } from './multi-span-processor.js';
import { SimpleSpanProcessor } from './simple-span-processor.js';
import type { SpanProcessor } from './span-processor.js';

test('each span is exported as it ends; onStart sees the live span; a failing processor does not hurt others', async () => {
  const exporter = new InMemorySpanExporter();
  const started: string[] = [];
  const failing: SpanProcessor = {
    onStart: () => {
      throw new Error('start');
    },
    onEnd: () => {
      throw new Error('end');
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const tagging: SpanProcessor = {
    onStart: (span) => {
      span.setAttribute('tagged', true);
      started.push(span.spanContext().spanId);
    },
    onEnd: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new AriadneTracerProvider({
    spanProcessors: [new MultiSpanProcessor([failing, tagging, new SimpleSpanProcessor(exporter)])],
  });
  const span = provider.getTracer('t').startSpan('s');
  span.end();
  await provider.forceFlush();
  const [s] = exporter.spans as [Span];
  assert.deepEqual(started, [s.spanId]);
  assert.equal(s.attributes[0]?.key, 'tagged');
  await provider.shutdown();
  provider.getTracer('t').startSpan('late').end();
  assert.equal(exporter.spans.length, 1);
});
