import { type AnyValue, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { Query } from '../query/traceql/ast.js';
import { compileTraceQL } from '../query/traceql/compile.js';
import { executeTraceQL } from '../query/traceql/execute.js';
import type { TimeSlices } from '../threads/time-slices.js';
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
  readonly #resourceKeeps = new WeakMap<Span['resource'], boolean>();

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
    const steps = this.#decide(traces, earlier);
    let step = steps.next();
    while (step.done !== true) step = steps.next();
    return step.value;
  }

  /**
   * `decideAll` a slice at a time: a block's thousands of traces take tens of
   * milliseconds to decide, which would otherwise hold the store's writes.
   */
  async decideAllInSlices(
    traces: ReadonlyMap<string, readonly Span[]>,
    earlier: EarlierDecision,
    slices: TimeSlices,
  ): Promise<Map<string, KeepPolicy | null>> {
    const steps = this.#decide(traces, earlier);
    let step = steps.next();
    while (step.done !== true) {
      const pause = slices.next();
      if (pause) await pause;
      step = steps.next();
    }
    return step.value;
  }

  /** The decisions, yielding after each trace (so that a caller can pause between two). */
  *#decide(
    traces: ReadonlyMap<string, readonly Span[]>,
    earlier: EarlierDecision,
  ): Generator<undefined, Map<string, KeepPolicy | null>> {
    const decisions = new Map<string, KeepPolicy | null>();
    const open: string[] = [];
    const wanted = this.#policy.exemplarsPerMinute;
    for (const [traceId, spans] of traces) {
      const known = earlier(traceId);
      const decision = known !== undefined ? known : this.ruleOf(spans);
      if (decision === undefined || decision === null) {
        if (known === null) decisions.set(traceId, null);
        else open.push(traceId);
      } else {
        decisions.set(traceId, decision);
        if (wanted > 0) this.#countExemplars(exemplarKeys(spans));
      }
      yield;
    }
    // In hash order: which traces become exemplars does not depend on the order they came in.
    const hashes = new Map(open.map((traceId) => [traceId, traceHash(traceId)]));
    open.sort((a, b) => hashes.get(a)! - hashes.get(b)! || (a < b ? -1 : 1));
    for (const traceId of open) {
      const keys = wanted === 0 ? [] : exemplarKeys(traces.get(traceId)!);
      let decision: KeepPolicy | null = null;
      if (keys.some((key) => (this.#exemplars.get(key) ?? 0) < wanted)) decision = 'exemplar';
      else if (sampled(traceId, this.#policy.sampleFraction)) decision = 'sample';
      if (decision !== null) this.#countExemplars(keys);
      decisions.set(traceId, decision);
      yield;
    }
    return decisions;
  }

  /** The first rule about this trace alone that keeps it. */
  ruleOf(spans: readonly Span[]): KeepPolicy | undefined {
    const policy = this.#policy;
    if (policy.keepAttributes.length > 0 && spans.some((span) => this.#hasKeepAttribute(span))) return 'attribute';
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

  #hasKeepAttribute(span: Span): boolean {
    const keys = this.#policy.keepAttributes;
    if (hasKeepAttribute(span.attributes, keys)) return true;
    // Spans of one process share their resource: its attributes are looked at once.
    let resourceKeeps = this.#resourceKeeps.get(span.resource);
    if (resourceKeeps === undefined) {
      resourceKeeps = hasKeepAttribute(span.resource.attributes, keys);
      this.#resourceKeeps.set(span.resource, resourceKeeps);
    }
    return resourceKeeps;
  }

  /** Counts a kept trace in its exemplar cells (none when the policy keeps no exemplars). */
  #countExemplars(keys: readonly string[]): void {
    for (const key of keys) this.#exemplars.set(key, (this.#exemplars.get(key) ?? 0) + 1);
  }
}

/** A trace's exemplar cells, each once. */
function exemplarKeys(spans: readonly Span[]): string[] {
  const keys = new Set<string>();
  for (const span of spans) keys.add(exemplarKey(span));
  return [...keys];
}

/** (service, operation, status, minute of span start): the cells exemplars are kept per. */
export function exemplarKey(span: Span): string {
  const minute = span.startTimeUnixNano / 60_000_000_000n;
  return `${serviceNameOf(span.resource)}\u0000${span.name}\u0000${span.status.code}\u0000${minute}`;
}

function hasKeepAttribute(attributes: Span['attributes'], keys: readonly string[]): boolean {
  return attributes.some((attribute) => keys.includes(attribute.key) && !isFalse(attribute.value));
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
