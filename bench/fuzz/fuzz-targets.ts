import * as protocol from '@ariadne/protocol';
import {
  decodeJaegerAgentMessage,
  decodeJaegerThriftBatch,
  decodeOtlpTraceRequestJson,
  decodeOtlpTraceRequestProto,
  decodeZipkinProto,
  decodeZipkinV1Json,
  decodeZipkinV1Thrift,
  decodeZipkinV2Json,
  encodeJaegerAgentMessage,
  encodeJaegerThriftBatch,
  encodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestProto,
  type Span,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import {
  groupByResource,
  toJaegerProtoBatch,
  toJaegerThriftBatch,
  toZipkinProto,
  toZipkinV1Json,
  toZipkinV1Thrift,
  toZipkinV2Json,
  wrapInPostSpans,
} from '../ingest/wire-payloads.js';
import { StandardWorkload } from '../workload/standard-workload.js';
import type { InputFormat } from './mutations.js';

/** A decoder under fuzz, with valid payloads of its format to mutate. */
export interface FuzzTarget {
  readonly name: string;
  readonly format: InputFormat;
  /** Decodes untrusted bytes to domain spans; may only ever throw `AriadneError`. */
  readonly decode: (bytes: Uint8Array) => readonly Span[];
  readonly seeds: readonly Uint8Array[];
}

const encoder = new TextEncoder();

/**
 * A span using every field and every attribute value type, so that mutations
 * reach the decoders' rarer branches (arrays, kvlists, bytes, links, status).
 */
function richSpan(base: Span): Span {
  return {
    ...base,
    traceState: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    kind: SpanKind.Consumer,
    attributes: [
      ...base.attributes,
      { key: 'flag', value: { type: 'bool', value: true } },
      { key: 'ratio', value: { type: 'double', value: 0.25 } },
      { key: 'big', value: { type: 'int', value: -9_223_372_036_854_775_808n } },
      { key: 'blob', value: { type: 'bytes', value: new Uint8Array([0, 1, 254, 255]) } },
      { key: 'none', value: { type: 'empty' } },
      {
        key: 'nested',
        value: {
          type: 'kvlist',
          value: [
            {
              key: 'list',
              value: {
                type: 'array',
                value: [
                  { type: 'string', value: 'ünïcødé ✓' },
                  { type: 'int', value: 7n },
                ],
              },
            },
          ],
        },
      },
    ],
    events: [
      { timeUnixNano: base.startTimeUnixNano + 5n, name: 'exception', attributes: [], droppedAttributesCount: 1 },
    ],
    links: [
      {
        traceId: base.traceId,
        spanId: base.spanId,
        traceState: 'a=b',
        attributes: [],
        droppedAttributesCount: 0,
        flags: 1,
      },
    ],
    status: { code: StatusCode.Error, message: 'boom' },
    droppedAttributesCount: 3,
    droppedEventsCount: 2,
    droppedLinksCount: 1,
  };
}

/** Small batches (one to a few traces), so that a case is cheap and mutations hit every part often. */
function seedBatches(): Span[][] {
  const workload = new StandardWorkload({ seed: 7 });
  const batches: Span[][] = [];
  for (let i = 0; i < 12; i++) {
    const spans = workload.nextTrace();
    batches.push(i % 3 === 0 ? spans.slice(0, 3) : spans);
  }
  const first = batches[0]![0]!;
  batches.push([richSpan(first)]);
  return batches;
}

/**
 * Jaeger's api_v2 protobuf decoders (gRPC PostSpans and a bare Batch), when
 * the package has them: they are being written beside this harness, so they
 * are looked up by name rather than imported (an import of a module that does
 * not exist yet would break the build).
 */
function jaegerProtoTargets(byService: readonly Span[][]): FuzzTarget[] {
  const exports = protocol as unknown as Record<string, unknown>;
  const batches = byService.map((group) => toJaegerProtoBatch(group));
  const shapes = [
    { name: 'jaeger-proto-post-spans', exported: 'decodeJaegerProtoPostSpans', seeds: batches.map(wrapInPostSpans) },
    { name: 'jaeger-proto-batch', exported: 'decodeJaegerProtoBatch', seeds: batches },
  ];
  const targets: FuzzTarget[] = [];
  for (const shape of shapes) {
    const decode = exports[shape.exported];
    if (typeof decode !== 'function') continue;
    targets.push({
      name: shape.name,
      format: 'protobuf',
      decode: (bytes) => {
        const result = decode(bytes) as Span[] | { spans: Span[] };
        return Array.isArray(result) ? result : result.spans;
      },
      seeds: shape.seeds,
    });
  }
  return targets;
}

export function fuzzTargets(): FuzzTarget[] {
  const batches = seedBatches();
  const byService = batches.flatMap((batch) => groupByResource(batch));
  const otlpProto = batches.map((batch) => encodeOtlpTraceRequestProto(batch).slice());
  const targets: FuzzTarget[] = [
    { name: 'otlp-proto', format: 'protobuf', decode: (b) => decodeOtlpTraceRequestProto(b).spans, seeds: otlpProto },
    {
      name: 'otlp-json',
      format: 'json',
      decode: (b) => decodeOtlpTraceRequestJson(b).spans,
      seeds: batches.map((batch) => encoder.encode(encodeOtlpTraceRequestJson(batch))),
    },
    {
      name: 'jaeger-thrift-binary',
      format: 'thrift-binary',
      decode: (b) => decodeJaegerThriftBatch(b, 'binary'),
      seeds: byService.map((group) => encodeJaegerThriftBatch(toJaegerThriftBatch(group), 'binary').slice()),
    },
    {
      name: 'jaeger-thrift-compact',
      format: 'thrift-compact',
      decode: (b) => decodeJaegerThriftBatch(b, 'compact'),
      seeds: byService.map((group) => encodeJaegerThriftBatch(toJaegerThriftBatch(group), 'compact').slice()),
    },
    {
      name: 'jaeger-agent-compact',
      format: 'thrift-compact',
      decode: (b) => decodeJaegerAgentMessage(b, 'compact'),
      seeds: byService.map((group) => encodeJaegerAgentMessage(toJaegerThriftBatch(group), 'compact', 7).slice()),
    },
    {
      name: 'jaeger-agent-binary',
      format: 'thrift-binary',
      decode: (b) => decodeJaegerAgentMessage(b, 'binary'),
      seeds: byService.map((group) => encodeJaegerAgentMessage(toJaegerThriftBatch(group), 'binary', 7).slice()),
    },
    {
      name: 'zipkin-v1-json',
      format: 'json',
      decode: (b) => decodeZipkinV1Json(b),
      seeds: batches.map((batch) => encoder.encode(toZipkinV1Json(batch))),
    },
    {
      name: 'zipkin-v1-thrift',
      format: 'thrift-binary',
      decode: (b) => decodeZipkinV1Thrift(b),
      seeds: batches.map((batch) => toZipkinV1Thrift(batch)),
    },
    {
      name: 'zipkin-v2-json',
      format: 'json',
      decode: (b) => decodeZipkinV2Json(b),
      seeds: batches.map((batch) => encoder.encode(toZipkinV2Json(batch))),
    },
    {
      name: 'zipkin-proto',
      format: 'protobuf',
      decode: (b) => decodeZipkinProto(b),
      seeds: batches.map((batch) => toZipkinProto(batch).slice()),
    },
  ];
  return [...targets, ...jaegerProtoTargets(byService)];
}
