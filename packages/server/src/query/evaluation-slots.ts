import { currentQueryDeadline } from './query-deadline.js';

/**
 * A few slots for CPU-heavy query work on the thread that also answers
 * `/health` and takes spans in (TraceQL evaluation). Each holder gives the
 * event loop a turn between slices of its work; but every holder's slice
 * runs before the loop gets to sockets again, so ten costly queries at once
 * would hold ingest for ten slices. With slots, the others wait their turn
 * instead, and their deadline still applies: a query still waiting at its
 * deadline gets its `QueryTimeout` (504) and leaves the line.
 */
export class EvaluationSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  /** Queries waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A slot once one is free: call the returned function (once) to give it back. */
  acquire(): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    const deadline = currentQueryDeadline();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const granted = () => {
        clearTimeout(timer);
        resolve(this.#releaser());
      };
      this.#waiting.push(granted);
      if (deadline !== undefined) {
        timer = setTimeout(() => {
          const at = this.#waiting.indexOf(granted);
          if (at < 0) return;
          this.#waiting.splice(at, 1);
          reject(deadline.error());
        }, deadline.remainingMs());
      }
    });
  }

  /** Runs `work` holding a slot. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#free++;
        return;
      }
      // Handed over after a turn of the event loop, so sockets are served between the two holders' slices.
      setImmediate(next);
    };
  }
}

/** TraceQL evaluations at once in this process (two: a quick query need not wait behind one slow one). */
export const TRACEQL_EVALUATIONS = new EvaluationSlots(2);
