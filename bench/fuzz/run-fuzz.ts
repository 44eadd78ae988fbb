import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isAriadneError, isValidSpanId, isValidTraceId, type Span } from '@ariadne/protocol';
import { SeededRandom } from '../workload/random.js';
import type { FuzzTarget } from './fuzz-targets.js';
import { mutate } from './mutations.js';

export interface FuzzOptions {
  readonly cases: number;
  /** Run seed: with the same seed (and code) every case is the same input. */
  readonly seed: number;
  /**
   * A case slower than this per 256 KiB of input (confirmed by running it again) is a
   * failure: super-linear work on hostile input. Large inputs get a proportional budget.
   */
  readonly caseBudgetMs?: number;
  /** Largest growth of the heap (after a full GC) from the start to the end of the run. */
  readonly heapGrowthLimitBytes?: number;
  /** Largest heap seen at any sample during the run. */
  readonly peakHeapLimitBytes?: number;
  /** Written before each case (`[caseIndex]`), for a watchdog that catches a case that never returns. */
  readonly progress?: Int32Array;
  /** At most this many failures are kept (all are counted). */
  readonly keepFailures?: number;
}

export interface FuzzFailure {
  readonly target: string;
  readonly caseIndex: number;
  /** Replays the case alone: `npm run fuzz -- --target <target> --case-seed <caseSeed>`. */
  readonly caseSeed: number;
  readonly strategy: string;
  readonly inputLength: number;
  readonly problem: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly cases: number;
  readonly seconds: number;
  /** Cases that decoded (possibly to no spans). */
  readonly decoded: number;
  /** Cases rejected with an `AriadneError`, as they should be. */
  readonly rejected: number;
  readonly failureCount: number;
  readonly failures: readonly FuzzFailure[];
  readonly slowestCaseMs: number;
  readonly heapGrowthBytes: number;
  readonly peakHeapBytes: number;
}

const MiB = 1024 * 1024;

/** The seed of case `index` of a run: independent of every other case, so one case replays alone. */
export function caseSeedOf(runSeed: number, index: number): number {
  let h = Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The input of one case: a mutation of one of the target's valid payloads. */
export function makeCase(target: FuzzTarget, caseSeed: number): { strategy: string; input: Uint8Array } {
  const random = new SeededRandom(caseSeed);
  const valid = random.pick(target.seeds);
  return mutate(valid, target.format, random);
}

/** JavaScript heap plus memory outside it (array buffers), where a decoder's copies of input bytes live. */
function usedMemory(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

let gcFunction: (() => void) | undefined;
/** A full GC, without needing `--expose-gc` on the command line (tests run under Node's test runner). */
function fullGc(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** What is wrong with a decoder's answer, or '' when it is well-formed. */
function checkSpans(spans: unknown): string {
  if (!Array.isArray(spans)) return `returned ${typeof spans}, not an array of spans`;
  for (const span of spans as Span[]) {
    if (!isValidTraceId(span.traceId)) return `returned a span with trace id ${JSON.stringify(span.traceId)}`;
    if (!isValidSpanId(span.spanId)) return `returned a span with span id ${JSON.stringify(span.spanId)}`;
    if (span.parentSpanId !== '' && !isValidSpanId(span.parentSpanId)) {
      return `returned a span with parent id ${JSON.stringify(span.parentSpanId)}`;
    }
    if (typeof span.startTimeUnixNano !== 'bigint' || typeof span.endTimeUnixNano !== 'bigint') {
      return 'returned a span whose times are not bigint';
    }
    if (typeof span.name !== 'string' || !Array.isArray(span.attributes)) return 'returned a malformed span';
  }
  return '';
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly problem: string } | { readonly rejected: true };

function runCase(target: FuzzTarget, input: Uint8Array): Outcome | { rejected: true } {
  let spans: unknown;
  try {
    spans = target.decode(input);
  } catch (error) {
    if (isAriadneError(error)) return { rejected: true };
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, problem: `threw ${what.slice(0, 300)}` };
  }
  const problem = checkSpans(spans);
  return problem === '' ? { ok: true } : { ok: false, problem };
}

/**
 * Runs `options.cases` seeded cases against one decoder and checks the three
 * things asked of every decoder: only `AriadneError` is thrown (and what does
 * decode is well-formed), no case is slow (a hang shows up as the watchdog of
 * the caller, see `progress`), and the heap does not grow across the run.
 */
export function runFuzz(target: FuzzTarget, options: FuzzOptions): FuzzReport {
  const budget = options.caseBudgetMs ?? 250;
  const keep = options.keepFailures ?? 20;
  const failures: FuzzFailure[] = [];
  let failureCount = 0;
  let decoded = 0;
  let rejected = 0;
  let slowest = 0;
  let peakHeap = 0;
  // The baseline is taken after some cases, once caches (string interning, compiled code) are warm.
  const warmUp = Math.min(500, Math.floor(options.cases / 10));
  let baseline = 0;
  const started = performance.now();
  for (let index = 0; index < options.cases; index++) {
    if (index === warmUp) {
      fullGc();
      baseline = usedMemory();
    }
    if (options.progress) options.progress[0] = index;
    const caseSeed = caseSeedOf(options.seed, index);
    const { strategy, input } = makeCase(target, caseSeed);
    const caseBudget = budget * Math.max(1, input.length / 262_144);
    const caseStart = performance.now();
    let outcome = runCase(target, input);
    let elapsed = performance.now() - caseStart;
    if (elapsed > caseBudget) {
      // Confirm before blaming the decoder: on a shared machine a GC or a stolen core can stall one run.
      const again = performance.now();
      outcome = runCase(target, input);
      elapsed = Math.min(elapsed, performance.now() - again);
      if (elapsed > caseBudget) {
        outcome = { ok: false, problem: `took ${elapsed.toFixed(0)} ms (budget ${caseBudget.toFixed(0)} ms)` };
      }
    }
    if (elapsed > slowest) slowest = elapsed;
    if ('rejected' in outcome) rejected++;
    else if (outcome.ok) decoded++;
    else {
      if (failureCount++ < keep) {
        failures.push({
          target: target.name,
          caseIndex: index,
          caseSeed,
          strategy,
          inputLength: input.length,
          problem: outcome.problem,
        });
      }
    }
    if ((index & 1023) === 0) peakHeap = Math.max(peakHeap, usedMemory());
  }
  const seconds = (performance.now() - started) / 1000;
  fullGc();
  const heapGrowth = options.cases > warmUp ? usedMemory() - baseline : 0;
  const growthLimit = options.heapGrowthLimitBytes ?? 64 * MiB;
  const peakLimit = options.peakHeapLimitBytes ?? 1024 * MiB;
  const memoryProblem =
    heapGrowth > growthLimit
      ? `heap grew by ${(heapGrowth / MiB).toFixed(1)} MiB over the run (limit ${growthLimit / MiB} MiB)`
      : peakHeap > peakLimit
        ? `heap peaked at ${(peakHeap / MiB).toFixed(1)} MiB (limit ${peakLimit / MiB} MiB)`
        : '';
  if (memoryProblem !== '') {
    failureCount++;
    failures.push({
      target: target.name,
      caseIndex: -1,
      caseSeed: -1,
      strategy: 'whole run',
      inputLength: 0,
      problem: memoryProblem,
    });
  }
  return {
    target: target.name,
    cases: options.cases,
    seconds,
    decoded,
    rejected,
    failureCount,
    failures,
    slowestCaseMs: slowest,
    heapGrowthBytes: heapGrowth,
    peakHeapBytes: peakHeap,
  };
}

/** One failure as a line a person can act on. */
export function describeFailure(failure: FuzzFailure, runSeed: number): string {
  if (failure.caseIndex < 0) return `${failure.target}: ${failure.problem} (run seed ${runSeed})`;
  return (
    `${failure.target}: case ${failure.caseIndex} (${failure.strategy}, ${failure.inputLength} bytes) ${failure.problem}` +
    ` — replay: npm run fuzz -- --target ${failure.target} --case-seed ${failure.caseSeed}`
  );
}
