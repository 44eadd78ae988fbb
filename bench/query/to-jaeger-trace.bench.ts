// Cost of answering GET /api/traces/:id for a large trace: translation, then JSON.
// Run: npm run bench to-jaeger-trace
import { performance } from 'node:perf_hooks';
import {
  EMPTY_SCOPE,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
  stringifyJaegerJson,
  toJaegerTrace,
} from '@ariadne/protocol';

const SPANS = Number(process.env.SPANS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 20);

const resources: Resource[] = Array.from({ length: 8 }, (_, i) => ({
  attributes: [
    { key: 'service.name', value: { type: 'string', value: `service-${i}` } },
    { key: 'host.name', value: { type: 'string', value: `host-${i}` } },
  ],
  droppedAttributesCount: 0,
}));

const spans: Span[] = Array.from({ length: SPANS }, (_, i) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: (i + 1).toString(16).padStart(16, '0'),
  parentSpanId:
    i === 0
      ? ''
      : Math.floor(i / 2 + 1)
          .toString(16)
          .padStart(16, '0'),
  traceState: '',
  flags: 1,
  name: `operation ${i % 50}`,
  kind: SpanKind.Server,
  startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_000n,
  endTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_000n + 5_000_000n,
  attributes: [
    { key: 'http.method', value: { type: 'string', value: 'GET' } },
    { key: 'http.status_code', value: { type: 'int', value: 200n } },
    { key: 'http.url', value: { type: 'string', value: `https://example.com/items/${i}` } },
    { key: 'ratio', value: { type: 'double', value: i / 7 } },
  ],
  droppedAttributesCount: 0,
  events:
    i % 10 === 0
      ? [{ timeUnixNano: 1_700_000_000_000_000_000n, name: 'retry', attributes: [], droppedAttributesCount: 0 }]
      : [],
  droppedEventsCount: 0,
  links: [],
  droppedLinksCount: 0,
  status: { code: StatusCode.Unset, message: '' },
  resource: resources[i % resources.length]!,
  scope: EMPTY_SCOPE,
}));

let translateMs = 0;
let stringifyMs = 0;
let bytes = 0;
for (let round = 0; round < ROUNDS + 3; round++) {
  const t0 = performance.now();
  const trace = toJaegerTrace(spans);
  const t1 = performance.now();
  const json = stringifyJaegerJson(trace);
  const t2 = performance.now();
  // The first rounds warm the JIT up.
  if (round >= 3) {
    translateMs += t1 - t0;
    stringifyMs += t2 - t1;
    bytes = json.length;
  }
}
console.log(
  `${SPANS} spans, ${(bytes / 1e6).toFixed(1)} MB JSON: toJaegerTrace ${(translateMs / ROUNDS).toFixed(1)} ms, ` +
    `stringifyJaegerJson ${(stringifyMs / ROUNDS).toFixed(1)} ms (mean of ${ROUNDS})`,
);
