import type {
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTrace,
} from '@ariadne/protocol';
import type { TraceShape } from '../trace/trace-shape.js';
import { ApiError } from './api-error.js';
import { withRetention } from './trace-retention.js';

/** A skeleton as the trace page holds it: the light trace, and what the server said of its structure. */
export interface SkeletonTrace {
  readonly trace: JaegerTrace;
  readonly shape: TraceShape;
}

/**
 * The server's trace skeleton (`GET /api/trace-view/{id}`, see the server's
 * `trace-skeleton.ts`), checked and turned into a Jaeger trace whose spans
 * carry only what the timeline and the trace's summaries read: ids, parent,
 * service, operation, times, the error flag (as an `error` tag) and event
 * marks (as logs holding only the `event` field). Everything else (tags,
 * process tags, event fields, links, warnings) is left empty and fetched per
 * span; a page holding such a trace must not show those fields from it.
 * The spans come sorted by start, then id; `shape` says what is known of
 * their structure, for `buildSpanTree` and `summarizeTrace`.
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
  const events = array(skeleton.events, 'events');
  for (const e of events) if (typeof e !== 'number') throw invalidSkeleton('events holds a bad mark');
  return traceOfColumns({
    traceID,
    startTime,
    strings: strings as string[],
    spanCount: n,
    spanIdAt: (i) => {
      const spanID = spanIds[i];
      if (typeof spanID !== 'string') throw invalidSkeleton(`spanIds[${i}] is not a string`);
      return spanID;
    },
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
  spanIdAt(i: number): string;
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

/** The light Jaeger trace and its shape, from a skeleton's checked columns. */
export function traceOfColumns(columns: SkeletonColumns): SkeletonTrace {
  const {
    traceID,
    startTime,
    strings: names,
    spanCount: n,
    parents,
    starts,
    durations,
    services,
    operations,
  } = columns;
  const { missingParents, duplicates, errors, events } = columns;

  // One process per service name: the light spans name their service through it.
  const processes: Record<string, JaegerProcess> = {};
  // One id string per process, shared by its spans: lookups by it then hash it once.
  const processIds: string[] = [];
  const processOf = (index: number): string => {
    const known = processIds[index];
    if (known !== undefined) return known;
    const id = `s${index}`;
    if (processes[id] === undefined) {
      const serviceName = names[index];
      if (serviceName === undefined) throw invalidSkeleton(`service ${index} is not in strings`);
      processes[id] = { serviceName, tags: NO_TAGS };
    }
    processIds[index] = id;
    return id;
  };
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
  const parentIndexes = new Int32Array(n);
  const logs: JaegerLog[][] = [];
  for (let k = 0; k + 2 < events.length; k += 3) {
    const span = events[k] as number;
    const time = events[k + 1] as number;
    const name = events[k + 2] as number;
    if (!(span >= 0 && span < n) || !Number.isFinite(time) || !Number.isInteger(name)) {
      throw invalidSkeleton('events holds a bad mark');
    }
    const text = name < 0 ? undefined : names[name];
    if (name >= 0 && text === undefined) throw invalidSkeleton(`event name ${name} is not in strings`);
    const log: JaegerLog = {
      timestamp: startTime + time,
      fields: text === undefined ? NO_TAGS : [{ key: 'event', type: 'string', value: text }],
    };
    const list = logs[span];
    if (list === undefined) logs[span] = [log];
    else list.push(log);
  }

  // Filled in order from empty: \`new Array(n)\` past 100,000 entries is a slow dictionary in V8.
  const spanIdOf: string[] = [];
  for (let i = 0; i < n; i++) spanIdOf[i] = columns.spanIdAt(i);
  const spans: JaegerSpan[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const spanID = spanIdOf[i] as string;
    const parent = parents[i] as number;
    const operationName = names[operations[i] as number];
    if (operationName === undefined) throw invalidSkeleton(`operation of span ${i} is not in strings`);
    // Every span has the same fields (parentSpanID too, undefined or not): one shape for the engine.
    const span: JaegerSpan = {
      traceID,
      spanID,
      parentSpanID: undefined,
      flags: 0,
      operationName,
      references: NO_REFERENCES,
      startTime: startTime + (starts[i] as number),
      duration: durations[i] as number,
      tags: failed[i] === 1 ? ERROR_TAGS : NO_TAGS,
      logs: logs[i] ?? NO_LOGS,
      processID: processOf(services[i] as number),
      warnings: null,
    };
    if (parent >= 0) {
      const parentId = spanIdOf[parent];
      if (typeof parentId !== 'string' || duplicate[parent] === 1)
        throw invalidSkeleton(`parent of span ${i} is not a span`);
      span.parentSpanID = parentId;
      parentIndexes[i] = parent;
    } else if (parent === -1) parentIndexes[i] = -1;
    else if (parent === -2) {
      parentIndexes[i] = -2;
      const parentId = missingParents[missing++];
      if (typeof parentId !== 'string') throw invalidSkeleton('missingParents is too short');
      span.parentSpanID = parentId;
    } else throw invalidSkeleton(`parent of span ${i} is neither an index, -1 nor -2`);
    spans[i] = span;
  }
  if (missing !== missingParents.length) throw invalidSkeleton('missingParents is too long');
  return {
    trace: withRetention({ traceID, spans, processes, warnings: null }, columns.retention),
    shape: { parents: parentIndexes, duplicate, failed },
  };
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
