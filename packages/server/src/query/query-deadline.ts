import { AsyncLocalStorage } from 'node:async_hooks';
import { AriadneError } from '@ariadne/protocol';
import { TimeSlices } from '../threads/time-slices.js';

/**
 * When a query must be done by (`--query-timeout`, default 30 s). One is
 * bound to each query request (`withQueryDeadline`) and every read made
 * while answering it sees it (`currentQueryDeadline`): the stores' scan
 * loops, TraceQL evaluation, trace loads, tag sampling, through any wrapper
 * (dedupe, unique ids, the archive). Like a tenant, it belongs to the
 * request rather than to a parameter each function must remember to pass on.
 * The embedded store's thread gets it in the call's message.
 *
 * Past the deadline, work stops at its next check with `QueryTimeout`
 * (HTTP 504, what Grafana gets from Tempo when a query outlives its
 * timeout), and the request is answered then even if the work is waiting
 * on something (`raceQueryDeadline`).
 */
export class QueryDeadline {
  constructor(
    /** Epoch milliseconds (`Date.now()`), the same clock in every thread. */
    readonly atMs: number,
    /** The timeout it was made from, for the message. */
    readonly timeoutMs: number,
    /**
     * 1 once the query is cancelled (`cancel`): shared memory, so the store's
     * thread, which gets it in the call's message, sees a cancel made here.
     */
    readonly cancelled: Int32Array = new Int32Array(new SharedArrayBuffer(4)),
  ) {}

  /**
   * Stops the query's work at its next check, as if its time were up: for a
   * query whose client went away (a find in trace superseded by the next
   * word typed), which would otherwise scan a million spans for no one.
   */
  cancel(): void {
    Atomics.store(this.cancelled, 0, 1);
  }

  isCancelled(): boolean {
    return Atomics.load(this.cancelled, 0) === 1;
  }

  static after(timeoutMs: number): QueryDeadline {
    return new QueryDeadline(Date.now() + timeoutMs, timeoutMs);
  }

  remainingMs(): number {
    return Math.max(0, this.atMs - Date.now());
  }

  passed(): boolean {
    return Date.now() >= this.atMs || this.isCancelled();
  }

  /** Throws `QueryTimeout` once the deadline has passed. */
  check(): void {
    if (this.passed()) throw this.error();
  }

  error(): AriadneError {
    if (this.isCancelled()) return new AriadneError('QueryTimeout', 'the query was cancelled: its client went away');
    return new AriadneError(
      'QueryTimeout',
      `the query did not finish within ${formatMs(this.timeoutMs)} (--query-timeout) and was stopped; narrow it (a shorter time range, more conditions)`,
    );
  }
}

const current = new AsyncLocalStorage<QueryDeadline>();

/** Runs `work` (and everything it awaits) under the deadline. */
export function withQueryDeadline<T>(deadline: QueryDeadline | undefined, work: () => T): T {
  return deadline === undefined ? work() : current.run(deadline, work);
}

export function currentQueryDeadline(): QueryDeadline | undefined {
  return current.getStore();
}

/** A query API's `fetch` with a deadline `timeoutMs` away bound to each request it answers. */
export function withQueryDeadlines<Rest extends unknown[]>(
  fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  timeoutMs: number,
): (request: Request, ...rest: Rest) => Response | Promise<Response> {
  return (request, ...rest) => withQueryDeadline(QueryDeadline.after(timeoutMs), () => fetch(request, ...rest));
}

/**
 * The work's outcome, or `QueryTimeout` at the deadline if the work is still
 * waiting then (it stops at its next check). Without a deadline, the work's.
 */
export async function raceQueryDeadline<T>(work: Promise<T>): Promise<T> {
  const deadline = currentQueryDeadline();
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadline.error()), deadline.remainingMs());
  });
  // The work's own failure after the answer went out must not be an unhandled rejection.
  work.catch(() => {});
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For loops over much data: `TimeSlices` (a turn of the event loop every
 * 10 ms of work, so sockets such as `/health` and ingest are served between
 * slices) that also stops the loop once the query's deadline has passed.
 */
export class ScanPacer {
  readonly #slices = new TimeSlices();
  readonly #deadline = currentQueryDeadline();

  /** A scan does not start past its deadline. */
  constructor() {
    this.#deadline?.check();
  }

  /** `await` it in the loop: at once within a slice, after a turn of the event loop at a slice's end. */
  step(): Promise<void> | undefined {
    const turn = this.#slices.next();
    if (turn !== undefined) this.#deadline?.check();
    return turn;
  }

  /** A turn of the event loop now, then the deadline: for work that ran out of its slice early. */
  async turn(): Promise<void> {
    await this.#slices.turn();
    this.#deadline?.check();
  }

  /** In loops that cannot yield: the deadline only. */
  check(): void {
    this.#deadline?.check();
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
