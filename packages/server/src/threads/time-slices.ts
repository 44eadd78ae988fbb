import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Cuts a long loop into slices of about `sliceMs` of work: `await slices.next()`
 * in the loop gives the event loop a turn once a slice is used up (and costs a
 * clock read otherwise). The embedded store's thread cuts blocks between
 * writes and reads this way, so a cut of a large head never holds an
 * acknowledgment or a search for longer than a slice.
 */
export class TimeSlices {
  #sliceEnds = performance.now();

  constructor(readonly sliceMs = 10) {
    this.#sliceEnds += sliceMs;
  }

  /** Resolves at once within a slice; after the event loop's next turn once it is used up. */
  next(): Promise<void> | undefined {
    if (performance.now() < this.#sliceEnds) return undefined;
    return this.turn();
  }

  /** A turn of the event loop now, whatever is left of the slice (for work that knows it is about to be costly). */
  turn(): Promise<void> {
    return nextTurn().then(() => {
      this.#sliceEnds = performance.now() + this.sliceMs;
    });
  }
}
