import { AriadneError } from '@ariadne/protocol';
import { type LinearRegex, MATCH_WORK_BUDGET } from '../linear-regex.js';
import { currentQueryDeadline, type QueryDeadline } from '../query-deadline.js';

/**
 * Matches cheaper than this (instructions × characters, well under a
 * millisecond) are neither counted nor remembered: the hot path of ordinary
 * queries over ordinary values stays a plain `test`.
 */
export const CHEAP_MATCH_WORK = 65_536;

/**
 * Regex work an evaluation of one trace may do without a turn of the event
 * loop in between: one worst match (`MATCH_WORK_BUDGET`, some 0.5 s in
 * re2js's slowest path). A synchronous evaluation (live tail, on the ingest
 * path) that needs more is refused.
 */
export const TRACE_WORK_BUDGET = MATCH_WORK_BUDGET;

/**
 * Regex work between two turns of the event loop in a paced evaluation
 * (searches, metrics): some 10 ms in re2js's DFA, 60 ms in its slowest path.
 * A single match may still cost up to `MATCH_WORK_BUDGET`: it cannot be cut.
 */
export const SLICE_WORK = 2_000_000;

/** Thrown (and caught by `evaluatePaced`) when an evaluation's slice of regex work is used up. */
export class RegexSliceUsedUp extends Error {
  constructor() {
    super('the slice of regular-expression work is used up');
  }
}

/**
 * The regular-expression matches of one query over one trace: each costly
 * (pattern, value) pair is matched once however often the query asks (a
 * 100-way `||` of one pattern over a 1 MiB value costs one match), and the
 * work is counted, so that no evaluation holds the thread that answers
 * `/health` and ingest for longer than a slice. Each RE2 match is linear and
 * budgeted on its own (`linear-regex.ts`); this bounds their sum.
 */
export class RegexWork {
  #spent = 0;
  readonly #results = new Map<LinearRegex, Map<string, boolean>>();
  readonly #deadline: QueryDeadline | undefined;

  private constructor(
    private readonly limit: number,
    /** What to do past the limit: throw `RegexSliceUsedUp` (the evaluation is retried after a turn), or refuse. */
    private readonly over: 'yield' | 'refuse',
  ) {
    this.#deadline = currentQueryDeadline();
  }

  /** For a synchronous evaluation: past `TRACE_WORK_BUDGET`, `InvalidQuery`. */
  static bounded(limit = TRACE_WORK_BUDGET): RegexWork {
    return new RegexWork(limit, 'refuse');
  }

  /** For `evaluatePaced`: past `SLICE_WORK`, a turn of the event loop and a retry that finds the matches so far remembered. */
  static paced(limit = SLICE_WORK): RegexWork {
    return new RegexWork(limit, 'yield');
  }

  /** Instructions × characters matched since the last `newSlice` (remembered and cheap matches not counted). */
  get spent(): number {
    return this.#spent;
  }

  test(regex: LinearRegex, value: string): boolean {
    const cost = regex.instructions * value.length;
    if (cost < CHEAP_MATCH_WORK) return regex.test(value);
    let known = this.#results.get(regex);
    const remembered = known?.get(value);
    if (remembered !== undefined) return remembered;
    // The first match of a slice always runs (it is budgeted on its own), so a retry always gets further.
    if (this.#spent > 0 && this.#spent + cost > this.limit) {
      if (this.over === 'yield') throw new RegexSliceUsedUp();
      throw new AriadneError(
        'InvalidQuery',
        `the query's regular expressions cost too much on one trace (over ${this.limit.toLocaleString('en-US')} ` +
          'instructions × characters, with values up to ' +
          `${value.length.toLocaleString('en-US')} characters); use fewer or simpler patterns`,
      );
    }
    this.#deadline?.check();
    const matched = regex.test(value);
    this.#spent += cost;
    if (known === undefined) {
      known = new Map();
      this.#results.set(regex, known);
    }
    known.set(value, matched);
    return matched;
  }

  /** After a turn of the event loop: a new slice of work. */
  newSlice(): void {
    this.#spent = 0;
  }
}
