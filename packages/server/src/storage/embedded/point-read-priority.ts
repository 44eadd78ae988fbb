/**
 * Point reads that long scans give way to, on one thread. A span's details
 * (`getSpansById`) need a few steps, each awaiting I/O; a "find in trace"
 * over a million spans (`findSpansInTrace`) decodes a block's share of the
 * trace at a time, some hundreds of milliseconds without a turn, for many
 * seconds. Interleaved fairly, every step of the lookup waits behind one
 * such decode, and the details took as long as most of the search (14 s of a
 * 20 s search at 1,000,000 spans, against 1.3 s alone). With this, the scan
 * waits before its next piece while any point read runs, so the lookup waits
 * at most for the piece already under way.
 */
export class PointReadPriority {
  #running = 0;
  #waiting: (() => void)[] = [];

  /** Runs a point read; scans hold off until it (and any other running) ends. */
  async run<T>(read: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await read();
    } finally {
      this.#running--;
      if (this.#running === 0) {
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const resume of waiting) resume();
      }
    }
  }

  /** For a scan between pieces: undefined when no point read runs, else a promise that resolves once none does. */
  idle(): Promise<void> | undefined {
    if (this.#running === 0) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Waits (possibly several times) until no point read runs. */
  async yieldToPointReads(): Promise<void> {
    for (let wait = this.idle(); wait !== undefined; wait = this.idle()) await wait;
  }
}
