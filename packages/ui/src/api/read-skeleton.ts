import type {
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTrace,
} from '@ariadne/protocol';
import type { SpanColumns, TraceProcess } from '../trace/span-columns.js';
import { ApiError } from './api-error.js';
import { withRetention } from './trace-retention.js';

/** A skeleton as the trace page holds it: the light trace, and what the server said of its structure. */
export interface SkeletonTrace {
  readonly trace: JaegerTrace;
  readonly columns: SpanColumns;
}

/**
 * The server's trace skeleton (`GET /api/trace-view/{id}`, see the server's
 * `trace-skeleton.ts`), checked and turned into a Jaeger trace whose spans
 * carry only what the timeline and the trace's summaries read: ids, parent,
 * service, operation, times, the error flag (as an `error` tag) and event
 * marks (as logs holding only the `event` field). Everything else (tags,
 * process tags, event fields, links, warnings) is left empty and fetched per
 * span; a page holding such a trace must not show those fields from it.
 * The spans come sorted by start, then id; `columns` hold them as the
 * server sent them, with what it said of their structure, for
 * `buildSpanTree` and `summarizeTrace`.
 */
export function readTraceSkeleton(value: unknown): SkeletonTrace {
  const skeleton = object(value);
  const traceID = skeleton.traceID;
  const startTime = skeleton.startTime;
  if (typeof traceID !== 'string') throw invalidSkeleton('traceID is not a string');
  if (typeof startTime !== 'number' || !Number.isFinite(startTime)) throw invalidSkeleton('startTime is not a number');
  const strings = array(skeleton.strings, 'strings');
  for (const s of strings) if (typeof s !== 'string') throw invalidSkeleton('strings holds a non-string');
  const spanIds = array(skeleton.spanIds, 'spanIds');
  const n = spanIds.length;
  for (let i = 0; i < n; i++) {
    if (typeof spanIds[i] !== 'string') throw invalidSkeleton(`spanIds[${i}] is not a string`);
  }
  const events = array(skeleton.events, 'events');
  for (const e of events) if (typeof e !== 'number') throw invalidSkeleton('events holds a bad mark');
  return traceOfColumns({
    traceID,
    startTime,
    strings: strings as string[],
    spanCount: n,
    spanIdAt: (i) => spanIds[i] as string,
    parents: column(skeleton.parents, 'parents', n),
    starts: column(skeleton.starts, 'starts', n),
    durations: column(skeleton.durations, 'durations', n),
    services: column(skeleton.services, 'services', n),
    operations: column(skeleton.operations, 'operations', n),
    missingParents: array(skeleton.missingParents, 'missingParents'),
    duplicates: array(skeleton.duplicates, 'duplicates'),
    errors: array(skeleton.errors, 'errors'),
    events: events as number[],
    retention: skeleton.retention,
  });
}

/**
 * A skeleton's fields however they came (JSON lists, or typed arrays of the
 * byte form, `readTraceColumns`): `spanIdAt` gives the id of span `i`.
 * Lists of unknown values are checked entry by entry.
 */
export interface SkeletonColumns {
  readonly traceID: string;
  readonly startTime: number;
  readonly strings: readonly string[];
  readonly spanCount: number;
  /** Checked already: ids are read as they are asked for (a million substrings cost a tenth of a second). */
  spanIdAt(i: number): string;
  /** The ids back to back, when they came so (`SpanColumns.idText`). */
  readonly idText?: string;
  readonly parents: ArrayLike<number>;
  readonly starts: ArrayLike<number>;
  readonly durations: ArrayLike<number>;
  readonly services: ArrayLike<number>;
  readonly operations: ArrayLike<number>;
  readonly missingParents: ArrayLike<unknown>;
  readonly duplicates: ArrayLike<unknown>;
  readonly errors: ArrayLike<unknown>;
  readonly events: ArrayLike<number>;
  /** The kept retention tier and the policy that kept the trace, when it is in that tier. */
  readonly retention?: unknown;
}

/**
 * The light Jaeger trace and its columns, from a skeleton's checked columns.
 * Everything is checked here, in loops over the columns; no span object is
 * made: the columns' `spanAt` makes one when asked, and the trace's `spans`
 * makes them all on first use (a page of a million spans never asks).
 */
export function traceOfColumns(columns: SkeletonColumns): SkeletonTrace {
  const { traceID, startTime, strings: names, spanCount: n, durations, operations } = columns;
  const { duplicates, errors, events } = columns;

  const failed = new Uint8Array(n);
  for (let k = 0; k < errors.length; k++) {
    const e = errors[k];
    if (typeof e !== 'number' || !(e >= 0 && e < n)) throw invalidSkeleton('errors holds a bad span index');
    failed[e] = 1;
  }
  const duplicate = new Uint8Array(n);
  for (let k = 0; k < duplicates.length; k++) {
    const d = duplicates[k];
    if (typeof d !== 'number' || !(d >= 0 && d < n)) throw invalidSkeleton('duplicates holds a bad span index');
    duplicate[d] = 1;
  }
  // Event marks per span as lists in typed arrays (`firstEvent`, `nextEvent`): logs are made with the span.
  const firstEvent = new Int32Array(n).fill(-1);
  const marks = Math.floor(events.length / 3);
  const nextEvent = new Int32Array(marks);
  for (let m = marks - 1; m >= 0; m--) {
    const span = events[3 * m] as number;
    const time = events[3 * m + 1] as number;
    const name = events[3 * m + 2] as number;
    if (!(span >= 0 && span < n) || !Number.isInteger(span) || !Number.isFinite(time) || !Number.isInteger(name)) {
      throw invalidSkeleton('events holds a bad mark');
    }
    if (name >= 0 && names[name] === undefined) throw invalidSkeleton(`event name ${name} is not in strings`);
    nextEvent[m] = firstEvent[span] as number;
    firstEvent[span] = m;
  }

  const { processes, processList, processOf, starts, parentIndexes, missingParentOf } = spanFields(columns, duplicate);

  const logsOf = (i: number): JaegerLog[] => {
    if (firstEvent[i] === -1) return NO_LOGS;
    const logs: JaegerLog[] = [];
    for (let m = firstEvent[i] as number; m >= 0; m = nextEvent[m] as number) {
      const name = events[3 * m + 2] as number;
      const text = name < 0 ? undefined : (names[name] as string);
      logs.push({
        timestamp: startTime + (events[3 * m + 1] as number),
        fields: text === undefined ? NO_TAGS : [{ key: 'event', type: 'string', value: text }],
      });
    }
    return logs;
  };
  const made = new Map<number, JaegerSpan>();
  const spanAt = (i: number): JaegerSpan => {
    let span = made.get(i);
    if (span !== undefined) return span;
    if (!(i >= 0 && i < n)) throw new RangeError(`no span ${i} in a trace of ${n}`);
    const parent = parentIndexes[i] as number;
    // Every span has the same fields (parentSpanID too, undefined or not): one shape for the engine.
    span = {
      traceID,
      spanID: columns.spanIdAt(i),
      parentSpanID: parent >= 0 ? columns.spanIdAt(parent) : parent === -2 ? missingParentOf.get(i) : undefined,
      flags: 0,
      operationName: names[operations[i] as number] as string,
      references: NO_REFERENCES,
      startTime: starts[i] as number,
      duration: durations[i] as number,
      tags: failed[i] === 1 ? ERROR_TAGS : NO_TAGS,
      logs: logsOf(i),
      processID: (processList[processOf[i] as number] as TraceProcess).id,
      warnings: null,
    };
    made.set(i, span);
    return span;
  };
  let spans: JaegerSpan[] | undefined;
  const trace: JaegerTrace = {
    traceID,
    get spans() {
      if (spans === undefined) {
        const list: JaegerSpan[] = [];
        for (let i = 0; i < n; i++) list.push(spanAt(i));
        spans = list;
      }
      return spans;
    },
    processes,
    warnings: null,
  };
  return {
    trace: withRetention(trace, columns.retention),
    columns: {
      count: n,
      parents: parentIndexes,
      duplicate,
      failed,
      starts,
      durations,
      processOf,
      processes: processList,
      operationOf: operations,
      operationNames: names,
      spanIdAt: columns.spanIdAt,
      idText: columns.idText,
      spanAt,
    },
  };
}

/**
 * Per span, what the columns do not hold as the tree reads it: its process
 * (one per service name; the light spans name their service through it), its
 * start in microseconds since the epoch, and its parent, every reference
 * checked. One pass with nothing but locals: a million spans in milliseconds.
 */
function spanFields(columns: SkeletonColumns, duplicate: Uint8Array) {
  const { startTime, strings: names, spanCount: n, parents, services, operations, missingParents } = columns;
  const relativeStarts = columns.starts;
  const processes: Record<string, JaegerProcess> = {};
  const processList: TraceProcess[] = [];
  // Per service string, its process's number (-1: none yet): no map lookup per span.
  const processIndex = new Int32Array(names.length).fill(-1);
  const processOf = new Int32Array(n);
  const parentIndexes = new Int32Array(n);
  const starts = new Float64Array(n);
  const missingParentOf = new Map<number, string>();
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const service = services[i] as number;
    let p = processIndex[service] ?? -1;
    if (p < 0) {
      const serviceName = names[service];
      if (serviceName === undefined) throw invalidSkeleton(`service ${service} is not in strings`);
      p = processList.length;
      const id = `s${service}`;
      const process: JaegerProcess = { serviceName, tags: NO_TAGS };
      processes[id] = process;
      processList.push({ id, process, serviceName });
      processIndex[service] = p;
    }
    processOf[i] = p;
    if (names[operations[i] as number] === undefined) throw invalidSkeleton(`operation of span ${i} is not in strings`);
    starts[i] = startTime + (relativeStarts[i] as number);
    const parent = parents[i] as number;
    if (parent >= 0) {
      if (!(parent < n) || !Number.isInteger(parent) || duplicate[parent] === 1) {
        throw invalidSkeleton(`parent of span ${i} is not a span`);
      }
      parentIndexes[i] = parent;
    } else if (parent === -1) parentIndexes[i] = -1;
    else if (parent === -2) {
      parentIndexes[i] = -2;
      const parentId = missingParents[missing++];
      if (typeof parentId !== 'string') throw invalidSkeleton('missingParents is too short');
      missingParentOf.set(i, parentId);
    } else throw invalidSkeleton(`parent of span ${i} is neither an index, -1 nor -2`);
  }
  if (missing !== missingParents.length) throw invalidSkeleton('missingParents is too long');
  return { processes, processList, processOf, starts, parentIndexes, missingParentOf };
}

// Shared and never written to: 100,000 spans need not each own an empty list.
const NO_TAGS: JaegerKeyValue[] = [];
const NO_LOGS: JaegerLog[] = [];
const NO_REFERENCES: JaegerReference[] = [];
const ERROR_TAGS: JaegerKeyValue[] = [{ key: 'error', type: 'bool', value: true }];

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidSkeleton('not an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw invalidSkeleton(`${name} is not a list`);
  return value;
}

/** A list of one number per span. */
function column(value: unknown, name: string, n: number): number[] {
  const list = array(value, name);
  if (list.length !== n) throw invalidSkeleton(`${name} has ${list.length} entries for ${n} spans`);
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidSkeleton(`${name}[${i}] is not a number`);
  }
  return list as number[];
}

export function invalidSkeleton(message: string): ApiError {
  return new ApiError('InvalidResponse', `The server sent an unexpected trace skeleton: ${message}.`);
}
