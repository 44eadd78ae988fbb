import { AriadneError, type Span } from '@ariadne/protocol';
import type { SpanReader, TimeRange } from '../../storage/span-store.js';
import type { FieldExpr, Static } from '../traceql/ast.js';
import { compileTraceQL } from '../traceql/compile.js';
import { evalField, TraceContext } from '../traceql/execute.js';
import { tokenize } from '../traceql/lexer.js';
import { searchTraceQL } from '../traceql/search.js';
import { INTRINSICS } from '../traceql/validate.js';

export type TagScope = 'span' | 'resource' | 'event' | 'link' | 'instrumentation' | 'intrinsic';
export const TAG_SCOPES: readonly TagScope[] = ['span', 'resource', 'event', 'link', 'instrumentation', 'intrinsic'];

/** Every spelling of every intrinsic, as Tempo lists them under the `intrinsic` scope. */
export const INTRINSIC_TAGS: readonly string[] = [...INTRINSICS.keys()].sort();

export interface SampleOptions {
  readonly timeRange: TimeRange;
  /** TraceQL narrowing the spans looked at (Grafana sends the query being edited); invalid text is ignored. */
  readonly query?: string;
  /** Most recent traces looked at. */
  readonly maxTraces: number;
}

/**
 * The spans tags and values are read from: those the query selects in the
 * most recent `maxTraces` matching traces. Stores keep no tag index yet, so
 * tag answers are a sample of recent data, which is what autocomplete needs.
 */
export async function sampleSpans(reader: SpanReader, options: SampleOptions): Promise<Span[][]> {
  let query = options.query?.trim() || '{ }';
  try {
    const compiled = compileTraceQL(query);
    if (compiled.metrics !== undefined) query = '{ }';
  } catch {
    // Grafana sends half-typed queries while a person edits; Tempo then answers for everything.
    query = '{ }';
  }
  const result = await searchTraceQL(reader, query, {
    timeRange: options.timeRange,
    limit: options.maxTraces,
    spansPerSpanSet: Number.MAX_SAFE_INTEGER,
  });
  return result.traces.map((trace) => {
    const spans = new Set<Span>();
    for (const set of trace.spanSets) for (const { span } of set.spans) spans.add(span);
    return [...spans];
  });
}

/** Attribute keys per scope, sorted; intrinsics always listed. */
export function collectTags(traces: readonly (readonly Span[])[]): Map<TagScope, string[]> {
  const keys = new Map<TagScope, Set<string>>(TAG_SCOPES.map((scope) => [scope, new Set<string>()]));
  const add = (scope: TagScope, attributes: readonly { key: string }[]) => {
    const set = keys.get(scope)!;
    for (const attribute of attributes) set.add(attribute.key);
  };
  for (const spans of traces) {
    for (const span of spans) {
      add('span', span.attributes);
      add('resource', span.resource.attributes);
      add('instrumentation', span.scope.attributes);
      for (const event of span.events) add('event', event.attributes);
      for (const link of span.links) add('link', link.attributes);
    }
  }
  const out = new Map<TagScope, string[]>();
  for (const scope of TAG_SCOPES) {
    out.set(scope, scope === 'intrinsic' ? [...INTRINSIC_TAGS] : [...keys.get(scope)!].sort());
  }
  return out;
}

/** Parses a tag as Grafana names it (`resource.service.name`, `.http.method`, `name`, `span:status`). */
export function parseTag(tag: string): FieldExpr {
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(tag);
  } catch {
    tokens = [];
  }
  const [first, second] = tokens;
  if (first !== undefined && second?.type === 'eof') {
    if (first.type === 'attribute') return { kind: 'attribute', scope: first.scope, name: first.name, pos: first.pos };
    if ((first.type === 'intrinsic' || first.type === 'ident') && INTRINSICS.has(first.text)) {
      return { kind: 'intrinsic', name: first.text, pos: first.pos };
    }
  }
  throw new AriadneError(
    'InvalidQuery',
    `"${tag}" is not a tag: use e.g. span.http.method, resource.service.name or name`,
  );
}

export interface TypedTagValue {
  /** Tempo's value types: string, int, float, bool, duration, keyword (status and kind). */
  readonly type: string;
  readonly value: string;
}

/** Distinct values of a tag over the sampled spans, typed, sorted by type then value; at most `limit`. */
export function collectTagValues(traces: readonly (readonly Span[])[], tag: FieldExpr, limit: number): TypedTagValue[] {
  const seen = new Map<string, TypedTagValue>();
  for (const spans of traces) {
    const ctx = new TraceContext(spans);
    for (const span of spans) {
      for (const value of evalField(tag, span, ctx)) {
        const typed = typedValue(value);
        if (typed === undefined) continue;
        const key = `${typed.type}\u0000${typed.value}`;
        if (!seen.has(key)) seen.set(key, typed);
        if (seen.size >= limit) return sortValues([...seen.values()]);
      }
    }
  }
  return sortValues([...seen.values()]);
}

function typedValue(value: Static): TypedTagValue | undefined {
  switch (value.type) {
    case 'nil':
      return undefined;
    case 'status':
    case 'kind':
      return { type: 'keyword', value: value.value };
    case 'duration':
      return { type: 'duration', value: `${value.value}ns` };
    default:
      return { type: value.type, value: String(value.value) };
  }
}

function sortValues(values: TypedTagValue[]): TypedTagValue[] {
  return values.sort((a, b) =>
    a.type !== b.type ? (a.type < b.type ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
  );
}
