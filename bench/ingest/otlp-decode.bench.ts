// OTLP protobuf decode alone, in spans per CPU-second on one core, on two workloads:
// the standard workload in batches of 512 (the figure ingest.bench.ts reports), and
// the ingest issue's own shape (20-span traces, 10 attributes per span with fresh
// random 20-character values, 500-span requests), where nearly every value is a new string.
//   npm run bench otlp-decode
// OTLP_DECODE_BASELINE=<path to another checkout's decode-otlp-proto.ts> adds that decoder
// as a second contender, measured in alternating rounds in the same process, so that a
// before/after comparison shares the machine's mood; it must decode to the same spans.
// The decoder imports only relative files, so its sources and the root package.json (for ESM)
// will do: mkdir /tmp/before && git archive <commit> package.json packages/protocol/src | tar -x -C /tmp/before
// and OTLP_DECODE_BASELINE=/tmp/before/packages/protocol/src/otlp/decode-otlp-proto.ts.
// On a shared machine, the per-round ratio of the two is steadier than either figure.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import {
  decodeOtlpTraceRequestProto,
  encodeOtlpTraceRequestProto,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import { SeededRandom } from '../workload/random.js';
import { StandardWorkload, WORKLOAD_SERVICES } from '../workload/standard-workload.js';

type Decode = (body: Uint8Array) => { spans: unknown[] };

const ROUNDS = 5;
const ROUND_MICROS = Number(process.env.OTLP_DECODE_ROUND_MS ?? 400) * 1000;

function requests(spans: readonly Span[], size: number): { bodies: Uint8Array[]; spansPerBody: number } {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i + size <= spans.length; i += size) {
    bodies.push(encodeOtlpTraceRequestProto(spans.slice(i, i + size)).slice());
  }
  return { bodies, spansPerBody: size };
}

/** The issue's workload: every span's ten attribute values are fresh random text. */
function issueWorkload(traces: number): Span[] {
  const random = new SeededRandom(13);
  const resources: Resource[] = WORKLOAD_SERVICES.map((service) => ({
    attributes: [str('service.name', service), str('telemetry.sdk.language', 'nodejs')],
    droppedAttributesCount: 0,
  }));
  const scope: InstrumentationScope = { name: 'issue-13', version: '1.0.0', attributes: [], droppedAttributesCount: 0 };
  const spans: Span[] = [];
  let traceStart = 1_767_225_600_000_000_000n;
  for (let t = 0; t < traces; t++) {
    const traceId = random.hex(16);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const spanId = random.hex(8);
      const start = traceStart + BigInt(random.int(0, 5_000_000));
      const attributes: KeyValue[] = [];
      for (let a = 0; a < 10; a++) attributes.push(str(`app.attribute_${a}`, random.word(20)));
      spans.push({
        traceId,
        spanId,
        parentSpanId: i === 0 ? '' : (ids[random.int(0, i - 1)] as string),
        traceState: '',
        flags: 1,
        name: `GET /op${random.int(0, 59)}`,
        kind: i === 0 ? SpanKind.Server : SpanKind.Internal,
        startTimeUnixNano: start,
        endTimeUnixNano: start + BigInt(random.int(50_000, 200_000_000)),
        attributes,
        droppedAttributesCount: 0,
        events: [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { code: StatusCode.Unset, message: '' },
        resource: resources[random.int(0, resources.length - 1)] as Resource,
        scope,
      });
      ids.push(spanId);
    }
    traceStart += 10_000_000n;
  }
  return spans;
}

function str(key: string, value: string): KeyValue {
  return { key, value: { type: 'string', value } };
}

/** One round as ingest.bench.ts's measureDecode does it: whole passes over the bodies until ~0.4 s of CPU. */
function round(decode: Decode, bodies: readonly Uint8Array[], spansPerBody: number): number {
  const start = process.cpuUsage();
  let decoded = 0;
  let micros = 0;
  while (micros < ROUND_MICROS) {
    for (const body of bodies) decode(body);
    decoded += bodies.length * spansPerBody;
    const used = process.cpuUsage(start);
    micros = used.user + used.system;
  }
  return decoded / (micros / 1e6);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const contenders: { name: string; decode: Decode }[] = [
  { name: 'this checkout', decode: (body) => decodeOtlpTraceRequestProto(body) },
];
const baselinePath = process.env.OTLP_DECODE_BASELINE;
if (baselinePath) {
  const module = (await import(pathToFileURL(baselinePath).href)) as { decodeOtlpTraceRequestProto: Decode };
  contenders.push({ name: `baseline (${baselinePath})`, decode: module.decodeOtlpTraceRequestProto });
}

const workloads = [
  { name: 'standard workload, 512-span batches', ...requests(new StandardWorkload({ seed: 1 }).spans(512 * 40), 512) },
  {
    name: 'issue workload (20-span traces, 10 random 20-char values), 500-span requests',
    ...requests(issueWorkload(1000), 500),
  },
];

console.log(
  `Node ${process.version}; CPU time, median of ${ROUNDS} rounds of ~${ROUND_MICROS / 1000} ms, contenders alternating.\n`,
);
console.log(
  `| workload | bytes per request | ${contenders.map((c) => `${c.name} (spans per CPU-second)`).join(' | ')} |`,
);
console.log(`|---|---:|${contenders.map(() => '---:').join('|')}|`);
const notes: string[] = [];
for (const workload of workloads) {
  if (contenders.length > 1) {
    for (const body of workload.bodies.slice(0, 3)) {
      assert.deepStrictEqual(contenders[0]!.decode(body), contenders[1]!.decode(body), 'contenders disagree');
    }
  }
  for (const contender of contenders) {
    for (let i = 0; i < 200; i++) contender.decode(workload.bodies[i % workload.bodies.length]!);
  }
  const rates = contenders.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, contender] of contenders.entries()) {
      rates[i]!.push(round(contender.decode, workload.bodies, workload.spansPerBody));
    }
  }
  const bytes = workload.bodies.reduce((sum, body) => sum + body.length, 0) / workload.bodies.length;
  if (contenders.length > 1) {
    const ratios = rates[0]!.map((rate, r) => rate / rates[1]![r]!);
    notes.push(`${workload.name}: this checkout / baseline, per round, median ${median(ratios).toFixed(2)}`);
  }
  console.log(
    `| ${workload.name} | ${fmt(bytes)} | ${rates.map((r) => `${fmt(median(r))} (${r.map(fmt).join(', ')})`).join(' | ')} |`,
  );
}
if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
console.log('\nTarget (ingest issue): OTLP protobuf decode ≥ 500,000 spans per CPU-second.');
