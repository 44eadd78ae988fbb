// Time per span, Ariadne's tracer against OpenTelemetry's SDK, both with a
// processor that does nothing and an always-on sampler, so the figure is the
// tracer's own cost (ids, attributes, events, end, conversion).
// Run: cd /work/main && node --conditions=ariadne-source --import tsx packages/sdk/src/trace/tracer.bench.ts
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, AlwaysOnSampler as OtelAlwaysOn } from '@opentelemetry/sdk-trace-base';
import { noopSpanProcessor } from '../processing/span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { AriadneTracerProvider } from './tracer-provider.js';

const otel = new BasicTracerProvider({
  sampler: new OtelAlwaysOn(),
  spanProcessors: [{ onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} }],
}).getTracer('bench');
const ariadne = new AriadneTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench' }),
  sampler: new AlwaysOnSampler(),
  spanProcessors: [noopSpanProcessor],
}).getTracer('bench');

function work(tracer: Tracer, n: number): void {
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('GET /users/:id', {
      attributes: { 'http.method': 'GET', 'http.route': '/users/:id' },
    });
    span.setAttribute('http.status_code', 200);
    span.setAttribute('user.id', 'u-12345');
    span.addEvent('cache.miss', { key: 'user:12345' });
    span.end();
  }
}

function nanosPerSpan(tracer: Tracer): number {
  const n = 200_000;
  const start = process.hrtime.bigint();
  work(tracer, n);
  return Number(process.hrtime.bigint() - start) / n;
}

for (let round = 0; round < 2; round++) {
  work(otel, 50_000);
  work(ariadne, 50_000);
}
const results: Record<string, number[]> = { otel: [], ariadne: [] };
for (let round = 0; round < 5; round++) {
  results.otel?.push(nanosPerSpan(otel));
  results.ariadne?.push(nanosPerSpan(ariadne));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const o = median(results.otel ?? []);
const a = median(results.ariadne ?? []);
console.log(`OpenTelemetry SDK: ${o.toFixed(0)} ns/span`);
console.log(`Ariadne SDK:       ${a.toFixed(0)} ns/span (${((a / o) * 100).toFixed(0)}% of OTel)`);
