import { type AnyValue, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { Query } from '../query/traceql/ast.js';
import { compileTraceQL } from '../query/traceql/compile.js';
import { executeTraceQL } from '../query/traceql/execute.js';
import type { KeepPolicy, RetentionPolicy } from './retention-policy.js';
import type { SlowThresholds } from './slow-thresholds.js';

/** A decision made earlier for a trace (a policy, or null: dropped), or undefined: not decided yet. */
export type EarlierDecision = (traceId: string) => KeepPolicy | null | undefined;

/**
 * The policy engine: given whole, settled traces, which to keep and which
 * policy kept each. Rules that look at one trace go first (a keep attribute,
 * an error, a TraceQL condition, a slow span); then exemplars, so that every
 * (service, operation, status) has at least N traces per minute among those
 * kept; then a fraction of the rest by a hash of the trace id, so that the
 * same traces are kept whatever order or batch they are decided in.
 */
export class RetentionDecider {
  readonly #policy: RetentionPolicy;
  readonly #conditions: readonly Query[];
  readonly #thresholds: SlowThresholds | undefined;
  /** Kept traces per (service, operation, status, minute) in this run. */
  readonly #exemplars = new Map<string, number>();

  constructor(policy: RetentionPolicy, thresholds?: SlowThresholds) {
    this.#policy = policy;
    this.#conditions = policy.traceql.map((text) => compileTraceQL(text));
    this.#thresholds = thresholds;
  }

  /** Decides a group of traces (a block's): each gets the policy that keeps it, or null. */
  decideAll(
    traces: ReadonlyMap<string, readonly Span[]>,
    earlier: EarlierDecision = () => undefined,
  ): Map<string, KeepPolicy | null> {
    const decisions = new Map<string, KeepPolicy | null>();
    const open: string[] = [];
    for (const [traceId, spans] of traces) {
      const known = earlier(traceId);
      const decision = known !== undefined ? known : this.ruleOf(spans);
      if (decision === undefined || decision === null) {
        if (known === null) decisions.set(traceId, null);
        else open.push(traceId);
        continue;
      }
      decisions.set(traceId, decision);
      this.#countExemplars(spans);
    }
    // In hash order: which traces become exemplars does not depend on the order they came in.
    open.sort((a, b) => traceHash(a) - traceHash(b) || (a < b ? -1 : 1));
    for (const traceId of open) {
      const spans = traces.get(traceId)!;
      let decision: KeepPolicy | null = null;
      if (this.#needsExemplar(spans)) decision = 'exemplar';
      else if (sampled(traceId, this.#policy.sampleFraction)) decision = 'sample';
      if (decision !== null) this.#countExemplars(spans);
      decisions.set(traceId, decision);
    }
    return decisions;
  }

  /** The first rule about this trace alone that keeps it. */
  ruleOf(spans: readonly Span[]): KeepPolicy | undefined {
    const policy = this.#policy;
    if (policy.keepAttributes.length > 0 && spans.some((span) => hasKeepAttribute(span, policy.keepAttributes))) {
      return 'attribute';
    }
    if (policy.errors && spans.some((span) => span.status.code === StatusCode.Error)) return 'error';
    if (this.#conditions.some((query) => executeTraceQL(query, spans).length > 0)) return 'traceql';
    const thresholds = this.#thresholds;
    if (policy.slow !== 'off' && thresholds !== undefined) {
      const ids = policy.slow === 'root' ? new Set(spans.map((span) => span.spanId)) : undefined;
      for (const span of spans) {
        // A root: no parent, or a parent the trace does not hold.
        if (ids !== undefined && span.parentSpanId !== '' && ids.has(span.parentSpanId)) continue;
        const duration = Number(span.endTimeUnixNano - span.startTimeUnixNano);
        const limit = thresholds.thresholdNanos(
          serviceNameOf(span.resource),
          span.name,
          span.kind,
          span.startTimeUnixNano,
        );
        if (duration > limit) return 'slow';
      }
    }
    return undefined;
  }

  #needsExemplar(spans: readonly Span[]): boolean {
    const wanted = this.#policy.exemplarsPerMinute;
    if (wanted === 0) return false;
    return spans.some((span) => (this.#exemplars.get(exemplarKey(span)) ?? 0) < wanted);
  }

  #countExemplars(spans: readonly Span[]): void {
    if (this.#policy.exemplarsPerMinute === 0) return;
    for (const key of new Set(spans.map(exemplarKey))) this.#exemplars.set(key, (this.#exemplars.get(key) ?? 0) + 1);
  }
}

/** (service, operation, status, minute of span start): the cells exemplars are kept per. */
export function exemplarKey(span: Span): string {
  const minute = span.startTimeUnixNano / 60_000_000_000n;
  return `${serviceNameOf(span.resource)}\u0000${span.name}\u0000${span.status.code}\u0000${minute}`;
}

function hasKeepAttribute(span: Span, keys: readonly string[]): boolean {
  const kept = (attributes: Span['attributes']) =>
    attributes.some((attribute) => keys.includes(attribute.key) && !isFalse(attribute.value));
  return kept(span.attributes) || kept(span.resource.attributes);
}

function isFalse(value: AnyValue): boolean {
  return (value.type === 'bool' && !value.value) || (value.type === 'string' && value.value === 'false');
}

/** FNV-1a of the id's text with murmur3's finalizer, 32 bits: ids that differ in one character spread too. */
export function traceHash(traceId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) {
    hash ^= traceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Whether a trace is in the random fraction: by its id alone, so every run and process agrees. */
export function sampled(traceId: string, fraction: number): boolean {
  return traceHash(traceId) < fraction * 2 ** 32;
}
