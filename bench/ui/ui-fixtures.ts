import {
  type Attributes,
  encodeOtlpTraceRequestJson,
  type Resource,
  type Span,
  type SpanEvent,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import { postOtlpJson } from '../workload/deep-trace.js';

/**
 * Spans for the UI's browser tests and benchmarks, described by what a test
 * cares about, sent to a real server over OTLP/HTTP JSON.
 */
export interface FixtureSpan {
  readonly id: string;
  readonly parent?: string;
  readonly service: string;
  readonly name: string;
  /** Milliseconds after the trace's start. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly error?: boolean;
  readonly kind?: SpanKind;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  /** Events, each at milliseconds after the trace's start. */
  readonly events?: readonly { readonly name: string; readonly atMs: number }[];
}

const resources = new Map<string, Resource>();
function resourceOf(service: string): Resource {
  let resource = resources.get(service);
  if (resource === undefined) {
    resource = {
      attributes: [{ key: 'service.name', value: { type: 'string', value: service } }],
      droppedAttributesCount: 0,
    };
    resources.set(service, resource);
  }
  return resource;
}

/** A 16-hex-digit span id from a short name, so tests can refer to spans by name. */
export function spanIdOf(name: string): string {
  let hex = '';
  for (const ch of name) hex += ch.charCodeAt(0).toString(16).padStart(2, '0');
  return hex.slice(-16).padStart(16, '0');
}

export function fixtureTrace(traceId: string, startMillis: number, specs: readonly FixtureSpan[]): Span[] {
  const base = BigInt(Math.round(startMillis)) * 1_000_000n;
  const nanos = (ms: number) => base + BigInt(Math.round(ms * 1_000_000));
  return specs.map((spec): Span => {
    const attributes: Attributes = Object.entries(spec.attributes ?? {}).map(([key, value]) => ({
      key,
      value:
        typeof value === 'string'
          ? { type: 'string', value }
          : typeof value === 'boolean'
            ? { type: 'bool', value }
            : Number.isInteger(value)
              ? { type: 'int', value: BigInt(value) }
              : { type: 'double', value },
    }));
    const events: SpanEvent[] = (spec.events ?? []).map((e) => ({
      timeUnixNano: nanos(e.atMs),
      name: e.name,
      attributes: [],
      droppedAttributesCount: 0,
    }));
    return {
      traceId,
      spanId: spanIdOf(spec.id),
      parentSpanId: spec.parent === undefined ? '' : spanIdOf(spec.parent),
      traceState: '',
      flags: 1,
      name: spec.name,
      kind: spec.kind ?? (spec.parent === undefined ? SpanKind.Server : SpanKind.Internal),
      startTimeUnixNano: nanos(spec.startMs),
      endTimeUnixNano: nanos(spec.startMs + spec.durationMs),
      attributes,
      droppedAttributesCount: 0,
      events,
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: spec.error ? { code: StatusCode.Error, message: 'failed' } : { code: StatusCode.Unset, message: '' },
      resource: resourceOf(spec.service),
      scope: { name: 'ui-fixtures', version: '1', attributes: [], droppedAttributesCount: 0 },
    };
  });
}

/**
 * POSTs spans as OTLP JSON to `{otlpHttpUrl}/v1/traces`, in batches, retrying
 * a busy server's 429 as exporters do; throws unless every batch is accepted.
 */
export async function sendSpans(otlpHttpUrl: string, spans: readonly Span[], batch = 20_000): Promise<void> {
  for (let i = 0; i < spans.length; i += batch) {
    await postOtlpJson(otlpHttpUrl, encodeOtlpTraceRequestJson(spans.slice(i, i + batch)));
  }
}
