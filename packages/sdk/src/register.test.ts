import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAttribute, type Span } from '@ariadne/protocol';
import { context, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from './export/in-memory-span-exporter.js';
import { register } from './register.js';

test('after register(), @opentelemetry/api gives Ariadne spans with correct parents across await and setTimeout', async () => {
  const exporter = new InMemorySpanExporter();
  const registration = register({ serviceName: 'checkout', exporter, batch: { scheduleDelayMillis: 3_600_000 } });
  try {
    const tracer = trace.getTracer('contract-test', '1.0.0');
    const headers: Record<string, string> = {};
    await tracer.startActiveSpan('request', async (request) => {
      await new Promise((resolve) => setImmediate(resolve));
      await tracer.startActiveSpan('db', async (db) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        tracer.startSpan('query').end();
        db.end();
      });
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          tracer.startActiveSpan('timer', (span) => {
            propagation.inject(context.active(), headers, defaultTextMapSetter);
            span.end();
          });
          resolve();
        }, 1),
      );
      // Concurrent branches keep their own parents.
      await Promise.all(
        ['a', 'b'].map((name) =>
          tracer.startActiveSpan(name, async (branch) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            tracer.startSpan(`${name}-leaf`).end();
            branch.end();
          }),
        ),
      );
      request.end();
    });
    assert.equal(trace.getActiveSpan(), undefined);
    await registration.provider.forceFlush();
    const byName = new Map<string, Span>(exporter.spans.map((s) => [s.name, s]));
    const id = (name: string) => byName.get(name)?.spanId;
    const parent = (name: string) => byName.get(name)?.parentSpanId;
    assert.equal(exporter.spans.length, 8);
    assert.equal(parent('request'), '');
    assert.equal(parent('db'), id('request'));
    assert.equal(parent('query'), id('db'));
    assert.equal(parent('timer'), id('request'));
    assert.equal(parent('a'), id('request'));
    assert.equal(parent('a-leaf'), id('a'));
    assert.equal(parent('b-leaf'), id('b'));
    assert.equal(new Set(exporter.spans.map((s) => s.traceId)).size, 1);
    assert.equal(headers.traceparent, `00-${byName.get('timer')?.traceId}-${id('timer')}-01`);
    const resource = byName.get('request')?.resource.attributes ?? [];
    assert.deepEqual(findAttribute(resource, 'service.name'), { type: 'string', value: 'checkout' });
    assert.equal(byName.get('request')?.scope.name, 'contract-test');
  } finally {
    await registration.shutdown();
  }
  assert.equal(trace.getTracer('x').startSpan('after').isRecording(), false, 'globals uninstalled');
});

test('OTEL_SDK_DISABLED=true installs nothing: the api keeps its no-op tracer, nothing is exported', async () => {
  const exporter = new InMemorySpanExporter();
  const registration = register({ serviceName: 'checkout', exporter, env: { OTEL_SDK_DISABLED: 'TRUE' } });
  try {
    const span = trace.getTracer('disabled').startSpan('work');
    assert.equal(span.isRecording(), false);
    assert.equal(span.spanContext().traceId, '00000000000000000000000000000000');
    span.end();
    const direct = registration.provider.getTracer('direct').startSpan('work');
    assert.equal(direct.isRecording(), false);
    direct.end();
    await registration.provider.forceFlush();
    assert.equal(exporter.spans.length, 0);
  } finally {
    await registration.shutdown();
  }
});
