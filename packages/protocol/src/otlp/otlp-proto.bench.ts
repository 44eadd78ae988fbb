// Decode and encode throughput of the OTLP codecs for a batch of 512 spans with
// ten string attributes each (about what an instrumented HTTP service sends).
// Run: node --conditions=ariadne-source --import tsx packages/protocol/src/otlp/otlp-proto.bench.ts
import type { Span } from '../model/span.js';
import { SpanKind, StatusCode } from '../model/span.js';
import { decodeOtlpTraceRequestJson } from './decode-otlp-json.js';
import { decodeOtlpTraceRequestProto } from './decode-otlp-proto.js';
import { encodeOtlpTraceRequestJson } from './encode-otlp-json.js';
import { encodeOtlpTraceRequestProto } from './encode-otlp-proto.js';

const BATCH = 512;

function makeBatch(): Span[] {
  const resource = {
    attributes: [
      { key: 'service.name', value: { type: 'string', value: 'checkout' } },
      { key: 'host.name', value: { type: 'string', value: 'checkout-7d9f8b-x2kq' } },
    ],
    droppedAttributesCount: 0,
  } as const;
  const scope = {
    name: '@opentelemetry/instrumentation-http',
    version: '0.57.0',
    attributes: [],
    droppedAttributesCount: 0,
  };
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return Array.from(
    { length: BATCH },
    (_, i): Span => ({
      traceId: hex(i + 1, 8).repeat(4),
      spanId: hex(i + 1, 16),
      parentSpanId: i % 8 === 0 ? '' : hex(i, 16),
      traceState: '',
      flags: 0x101,
      name: `GET /api/orders/{id}`,
      kind: SpanKind.Server,
      startTimeUnixNano: 1_732_000_000_000_000_000n + BigInt(i) * 1000n,
      endTimeUnixNano: 1_732_000_000_000_500_000n + BigInt(i) * 1000n,
      attributes: [
        { key: 'http.request.method', value: { type: 'string', value: 'GET' } },
        { key: 'url.path', value: { type: 'string', value: `/api/orders/${i}` } },
        { key: 'url.scheme', value: { type: 'string', value: 'https' } },
        { key: 'server.address', value: { type: 'string', value: 'shop.example.com' } },
        { key: 'http.route', value: { type: 'string', value: '/api/orders/{id}' } },
        { key: 'user_agent.original', value: { type: 'string', value: 'Mozilla/5.0 (X11; Linux x86_64)' } },
        { key: 'network.protocol.version', value: { type: 'string', value: '1.1' } },
        { key: 'client.address', value: { type: 'string', value: '10.1.2.3' } },
        { key: 'http.response.status_code', value: { type: 'string', value: '200' } },
        { key: 'deployment.environment', value: { type: 'string', value: 'production' } },
      ],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: StatusCode.Unset, message: '' },
      resource,
      scope,
    }),
  );
}

function measure(label: string, run: () => unknown): void {
  // Warm up so that the optimising compiler has seen the code, then run for about a second of CPU time.
  // CPU time rather than wall time: "on one core" is what we claim, and shared machines steal wall time.
  for (let i = 0; i < 200; i++) run();
  let rounds = 0;
  const start = process.cpuUsage();
  let micros = 0;
  while (micros < 1_000_000) {
    for (let i = 0; i < 20; i++) run();
    rounds += 20;
    const used = process.cpuUsage(start);
    micros = used.user + used.system;
  }
  const spansPerSecond = (rounds * BATCH) / (micros / 1e6);
  console.log(
    `${label.padEnd(14)} ${Math.round(spansPerSecond).toLocaleString('en-US').padStart(12)} spans per CPU-second`,
  );
}

const spans = makeBatch();
const proto = encodeOtlpTraceRequestProto(spans);
const json = encodeOtlpTraceRequestJson(spans);
console.log(`batch of ${BATCH} spans: ${proto.length} bytes protobuf, ${json.length} bytes JSON`);
measure('proto decode', () => decodeOtlpTraceRequestProto(proto));
measure('proto encode', () => encodeOtlpTraceRequestProto(spans));
measure('json decode', () => decodeOtlpTraceRequestJson(json));
measure('json encode', () => encodeOtlpTraceRequestJson(spans));
