import { type Resource, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { TimeSlices } from '../../threads/time-slices.js';
import { BoundedHashTable } from './bounded-hash-table.js';
import { hashSpanKey, SPAN_HASH } from './span-hash.js';

/** What the index reads of a span (a domain span has it all). */
export interface IndexedSpan {
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly resource: Resource;
  readonly startTimeUnixNano: bigint;
  readonly status: { readonly code: StatusCode };
}

/**
 * A call between services: the child's start and error decide where it is
 * counted. `child` is the span when it is one of those visited, undefined
 * when it is a child that was cut earlier and waited for this parent.
 */
export type CallVisitor = (
  parentService: string,
  childService: string,
  childStartNanos: bigint,
  isError: boolean,
  child: IndexedSpan | undefined,
) => void;

/** What a cut remembers once its blocks are written (`DependencyIndex.planCut`). */
export interface CutPlan {
  commit(): void;
}

/** `#waiting` columns. */
const SERVICE = 0;
const START_LOW = 1;
const START_HIGH = 2;
const FLAGS = 3;
const IS_ERROR = 1;
const RESOLVED = 2;

const I64 = new BigInt64Array(1);
const I64_WORDS = new Uint32Array(I64.buffer);

/**
 * Counts each call between services once, in the cut that holds the later of
 * its two spans, without reading older blocks: a cut costs in proportion to
 * its own spans, however many pieces of its traces came before.
 *
 * Two bounded tables (`BoundedHashTable`, keys `hashSpanKey(trace, span)`):
 * - `#spans`: the service of each of the last `window` spans cut (at least);
 * - `#waiting`: children cut before their parent was, as the parent's key,
 *   the child's service, start and error; a cut holding the parent counts
 *   the call and marks the child resolved.
 * A call whose two spans are in one cut is counted from that cut's spans.
 * The heads' part of a query (`callsOf`) follows the same rules without
 * remembering anything, so a call is counted once whichever half comes
 * first, in the same cut, a later one, or a head at query time.
 *
 * The price of the bound: when a child's parent arrives after the child left
 * `#waiting` (the last `window` waiting children, at least), or a child
 * arrives after its parent left `#spans`, that call is not counted (nor
 * shown): neither half alone names both services. With the default window
 * of 500,000 spans that takes a parent exported 25 s after its children at
 * 20,000 spans/s, far longer at ordinary rates.
 *
 * Memory: 12 bytes a slot for `#spans`, 21 for `#waiting`, in two
 * generations of at most the power of two at or above 2 × window slots each
 * (2^20 for the default window: about 69 MB in all, reached only once that
 * many spans went through).
 */
export class DependencyIndex {
  readonly #spans: BoundedHashTable;
  readonly #waiting: BoundedHashTable;
  /** Service ids of the tables: one entry per distinct name seen while the store runs. */
  readonly #names: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #serviceOf = new WeakMap<Resource, string>();
  readonly #byId = new Map<string, string>();
  #lastResource: Resource | undefined;
  #lastService = '';

  constructor(window: number) {
    this.#spans = new BoundedHashTable(window, [Uint32Array]);
    this.#waiting = new BoundedHashTable(window, [Uint32Array, Uint32Array, Uint32Array, Uint8Array]);
  }

  /**
   * Visits the calls that the spans of these traces (not cut yet: the heads)
   * take part in, with each other and with cut spans. Remembers nothing.
   */
  callsOf(traces: Iterable<readonly [string, readonly IndexedSpan[]]>, visit: CallVisitor): void {
    for (const [traceId, spans] of traces) this.#trace(traceId, spans, visit, undefined);
  }

  /**
   * Visits the calls a cut of these traces counts; returns what to remember
   * of it, to be committed when its blocks are written (in the same tick
   * as they become readable, so that `callsOf` on the heads left never
   * counts a call twice or misses one). A plan not committed (a failed cut)
   * changes nothing: the next cut plans those spans again.
   */
  planCut(
    traces: Iterable<readonly [string, readonly IndexedSpan[]]>,
    visit: CallVisitor,
    onRepeatedId?: (traceId: string) => void,
  ): CutPlan {
    const plan = new Plan(this.#spans, this.#waiting);
    for (const [traceId, spans] of traces) {
      if (this.#trace(traceId, spans, visit, plan)) onRepeatedId?.(traceId);
    }
    return plan;
  }

  /** `planCut`, giving the event loop a turn whenever a slice of work is used up. */
  async planCutInSlices(
    traces: Iterable<readonly [string, readonly IndexedSpan[]]>,
    visit: CallVisitor,
    onRepeatedId: ((traceId: string) => void) | undefined,
    slices: TimeSlices,
  ): Promise<CutPlan> {
    const plan = new Plan(this.#spans, this.#waiting);
    for (const [traceId, spans] of traces) {
      if (this.#trace(traceId, spans, visit, plan)) onRepeatedId?.(traceId);
      const pause = slices.next();
      if (pause) await pause;
    }
    return plan;
  }

  /** Visits the trace's calls; true when two of its spans share an id (a by-product the cut uses). */
  #trace(traceId: string, spans: readonly IndexedSpan[], visit: CallVisitor, plan: Plan | undefined): boolean {
    const byId = this.#byId;
    byId.clear();
    let repeated = false;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      // A span id twice (Zipkin's client and server halves): the first names the service, as `crossServiceCalls` does.
      if (!byId.has(span.spanId)) byId.set(span.spanId, this.#service(span.resource));
      else repeated = true;
    }
    for (let i = 0; i < spans.length; i++) {
      const child = spans[i]!;
      if (child.parentSpanId === '') continue;
      const childService = this.#service(child.resource);
      const isError = child.status.code === StatusCode.Error;
      let parentService = byId.get(child.parentSpanId);
      if (parentService === undefined) {
        hashSpanKey(traceId, child.parentSpanId);
        const a = SPAN_HASH[0]!;
        const b = SPAN_HASH[1]!;
        const found = this.#spans.find(a, b);
        if (found !== -1) parentService = this.#names[this.#spans.get(found, 0)];
        else plan?.wait(a, b, this.#id(childService), child.startTimeUnixNano, isError);
      }
      if (parentService !== undefined && parentService !== childService) {
        visit(parentService, childService, child.startTimeUnixNano, isError, child);
      }
    }
    const waiting = this.#waiting;
    for (const [spanId, service] of byId) {
      hashSpanKey(traceId, spanId);
      const a = SPAN_HASH[0]!;
      const b = SPAN_HASH[1]!;
      for (let handle = waiting.find(a, b); handle !== -1; handle = waiting.find(a, b, handle)) {
        const flags = waiting.get(handle, FLAGS);
        if ((flags & RESOLVED) !== 0) continue;
        const childService = this.#names[waiting.get(handle, SERVICE)]!;
        if (childService !== service) {
          I64_WORDS[0] = waiting.get(handle, START_LOW);
          I64_WORDS[1] = waiting.get(handle, START_HIGH);
          visit(service, childService, I64[0]!, (flags & IS_ERROR) !== 0, undefined);
        }
        plan?.resolve(handle);
      }
      plan?.remember(a, b, this.#id(service));
    }
    return repeated;
  }

  #service(resource: Resource): string {
    // Spans of a batch share resource objects, and a trace's spans come in runs of batches.
    if (resource === this.#lastResource) return this.#lastService;
    let name = this.#serviceOf.get(resource);
    if (name === undefined) {
      name = serviceNameOf(resource);
      this.#serviceOf.set(resource, name);
    }
    this.#lastResource = resource;
    this.#lastService = name;
    return name;
  }

  #id(service: string): number {
    let id = this.#ids.get(service);
    if (id === undefined) {
      id = this.#names.length;
      this.#names.push(service);
      this.#ids.set(service, id);
    }
    return id;
  }
}

class Plan implements CutPlan {
  /** Per span: key halves and service id. */
  readonly #remembered: number[] = [];
  /** Per waiting child: parent key halves, service id, start words, flags. */
  readonly #waits: number[] = [];
  readonly #resolved: number[] = [];
  #committed = false;

  constructor(
    readonly spans: BoundedHashTable,
    readonly waiting: BoundedHashTable,
  ) {}

  remember(a: number, b: number, service: number): void {
    this.#remembered.push(a, b, service);
  }

  wait(a: number, b: number, service: number, start: bigint, isError: boolean): void {
    I64[0] = start;
    this.#waits.push(a, b, service, I64_WORDS[0]!, I64_WORDS[1]!, isError ? IS_ERROR : 0);
  }

  resolve(handle: number): void {
    this.#resolved.push(handle);
  }

  commit(): void {
    if (this.#committed) throw new Error('a cut plan is committed once');
    this.#committed = true;
    const { spans, waiting } = this;
    // Handles stay valid until the next add: resolve first.
    for (const handle of this.#resolved) waiting.set(handle, FLAGS, waiting.get(handle, FLAGS) | RESOLVED);
    const remembered = this.#remembered;
    for (let i = 0; i < remembered.length; i += 3) {
      spans.set(spans.add(remembered[i]!, remembered[i + 1]!), 0, remembered[i + 2]!);
    }
    const waits = this.#waits;
    for (let i = 0; i < waits.length; i += 6) {
      const handle = waiting.add(waits[i]!, waits[i + 1]!);
      waiting.set(handle, SERVICE, waits[i + 2]!);
      waiting.set(handle, START_LOW, waits[i + 3]!);
      waiting.set(handle, START_HIGH, waits[i + 4]!);
      waiting.set(handle, FLAGS, waits[i + 5]!);
    }
  }
}
