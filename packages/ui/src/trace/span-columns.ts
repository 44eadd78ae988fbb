import type { JaegerProcess, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { parentSpanIdOf } from './span-references.js';
import { isErrorSpan } from './span-tags.js';

/**
 * A trace's spans as columns, one entry per span, sorted by start time, then
 * span id: what the tree, the timeline, the summaries and find read. The
 * server's skeleton comes in this form (`readTraceColumns`), so a trace of a
 * million spans is opened without a million span objects: `spanAt` makes a
 * span's object when something asks for it (a row on screen, a detail, a
 * view that walks every span) and gives the same object after.
 */
export interface SpanColumns {
  readonly count: number;
  /**
   * Index of the span's parent (the first span with the parent's id); -1 for
   * a span without a parent, -2 when the parent is not in the trace.
   */
  readonly parents: Int32Array;
  /** 1 for a span whose id an earlier span already has (a store may keep a span twice). */
  readonly duplicate: Uint8Array;
  /** 1 for a failed span (`isErrorSpan` of the whole span). */
  readonly failed: Uint8Array;
  /** Microseconds since the epoch. */
  readonly starts: Float64Array;
  readonly durations: ArrayLike<number>;
  /** Index in `processes` of the span's process. */
  readonly processOf: ArrayLike<number>;
  readonly processes: readonly TraceProcess[];
  /** Index in `operationNames`. */
  readonly operationOf: ArrayLike<number>;
  readonly operationNames: readonly string[];
  spanIdAt(i: number): string;
  /**
   * Every span id back to back, `SPAN_ID_WIDTH` characters each, when every id
   * has that width: find and id lookups scan one string instead of a million.
   */
  readonly idText: string | undefined;
  spanAt(i: number): JaegerSpan;
}

/** A process of the trace as the columns name it. */
export interface TraceProcess {
  readonly id: string;
  readonly process: JaegerProcess | undefined;
  /** 'unknown service' when the span's processID names no process of the trace. */
  readonly serviceName: string;
}

export const SPAN_ID_WIDTH = 16;

/** The columns of a trace held whole (a file, the Jaeger API): its spans sorted, parents found by id. */
export function columnsOfTrace(trace: JaegerTrace): SpanColumns {
  // Servers usually send spans in this order already: check before sorting.
  const spans = isSorted(trace.spans) ? trace.spans : [...trace.spans].sort(byStartThenId);
  const n = spans.length;
  const first = new Map<string, number>();
  const duplicate = new Uint8Array(n);
  const failed = new Uint8Array(n);
  const starts = new Float64Array(n);
  const durations = new Float64Array(n);
  const processOf = new Int32Array(n);
  const operationOf = new Int32Array(n);
  const processes: TraceProcess[] = [];
  const processIndex = new Map<string, number>();
  const operationNames: string[] = [];
  const operationIndex = new Map<string, number>();
  let idsOfWidth = true;
  for (let i = 0; i < n; i++) {
    const span = spans[i] as JaegerSpan;
    if (first.has(span.spanID)) duplicate[i] = 1;
    else first.set(span.spanID, i);
    if (span.spanID.length !== SPAN_ID_WIDTH) idsOfWidth = false;
    failed[i] = isErrorSpan(span) ? 1 : 0;
    starts[i] = span.startTime;
    durations[i] = span.duration;
    let p = processIndex.get(span.processID);
    if (p === undefined) {
      p = processes.length;
      const process = trace.processes[span.processID];
      processes.push({ id: span.processID, process, serviceName: process?.serviceName ?? 'unknown service' });
      processIndex.set(span.processID, p);
    }
    processOf[i] = p;
    let o = operationIndex.get(span.operationName);
    if (o === undefined) {
      o = operationNames.length;
      operationNames.push(span.operationName);
      operationIndex.set(span.operationName, o);
    }
    operationOf[i] = o;
  }
  const parents = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const parentId = parentSpanIdOf(spans[i] as JaegerSpan);
    parents[i] = parentId === undefined ? -1 : (first.get(parentId) ?? -2);
  }
  return {
    count: n,
    parents,
    duplicate,
    failed,
    starts,
    durations,
    processOf,
    processes,
    operationOf,
    operationNames,
    spanIdAt: (i) => (spans[i] as JaegerSpan).spanID,
    idText: idsOfWidth && n > 0 ? spans.map((s) => s.spanID).join('') : undefined,
    spanAt: (i) => spans[i] as JaegerSpan,
  };
}

/**
 * Index of the first span with this id, or undefined. With `idText`, one scan
 * of a string (a few milliseconds for a million spans) rather than a map of
 * every id, which a page of a million spans would build for one lookup.
 */
export function spanIndexOf(columns: SpanColumns, spanId: string): number | undefined {
  const text = columns.idText;
  if (text !== undefined) {
    if (spanId.length !== SPAN_ID_WIDTH) return undefined;
    for (let at = text.indexOf(spanId); at >= 0; at = text.indexOf(spanId, at + 1)) {
      if (at % SPAN_ID_WIDTH === 0) return at / SPAN_ID_WIDTH;
    }
    return undefined;
  }
  for (let i = 0; i < columns.count; i++) if (columns.spanIdAt(i) === spanId) return i;
  return undefined;
}

function isSorted(spans: readonly JaegerSpan[]): boolean {
  for (let i = 1; i < spans.length; i++) {
    if (byStartThenId(spans[i - 1] as JaegerSpan, spans[i] as JaegerSpan) > 0) return false;
  }
  return true;
}

function byStartThenId(a: JaegerSpan, b: JaegerSpan): number {
  if (a.startTime !== b.startTime) return a.startTime - b.startTime;
  return a.spanID < b.spanID ? -1 : a.spanID > b.spanID ? 1 : 0;
}
