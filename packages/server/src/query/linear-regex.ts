import { AriadneError } from '@ariadne/protocol';
import { RE2JS, RE2JSException } from 're2js';

/**
 * A user's regular expression (TraceQL `=~`/`!~`, the stores' attribute
 * predicates), compiled once and tested against many values.
 *
 * Semantics, as in Tempo (which compiles them with Prometheus's matcher) and
 * the same as the ClickHouse store's `match()`:
 * - RE2 syntax: no lookaround, no backreferences; `(?i)`, `(?s)`, `(?-s)`,
 *   `(?P<name>…)`, `\pL` and the rest of RE2 work anywhere in the pattern;
 * - fully anchored: `GET` matches the value `GET` only, write `GET.*`;
 * - `.` matches a line break too (multi-line SQL in `db.statement`).
 *
 * Matching is re2js, a port of RE2: its time grows linearly with the value,
 * never exponentially as JavaScript's backtracking `RegExp` can (`(a+)+$`
 * against 34 `a`s and a `b` ran for minutes there). Linear is not free,
 * though: when its DFA gives up (patterns such as `.*a.{200}b` over varied
 * text), re2js falls back to a simulation that costs some 30 ns per program
 * instruction per character (`bench/query/regex-engine.bench.ts`), and one
 * call cannot be interrupted. So each test has a work budget: a value longer
 * than `MATCH_WORK_BUDGET / instructions` characters is refused with a clear
 * `InvalidQuery` instead of blocking the thread for seconds.
 */
export interface LinearRegex {
  readonly source: string;
  /** Size of the compiled program: the work per character in the worst case. */
  readonly instructions: number;
  /** Whether the whole value matches. Throws `InvalidQuery` when the value is beyond the work budget. */
  test(value: string): boolean;
}

/**
 * Instructions × characters one test may cost: some 0.5 s of CPU in re2js's
 * slowest path (31 ns per instruction × character measured by the benchmark),
 * 30 ms in its usual DFA path for 1 MB. Patterns of up to 15 instructions
 * (`.*fail.*` is 10, `(a+)+$` 8) test 1 MiB values; with the
 * default `--max-attribute-value-length` (64 KiB), patterns of 240.
 */
export const MATCH_WORK_BUDGET = 16_000_000;

export type LinearRegexCompilation =
  | { readonly ok: true; readonly regex: LinearRegex }
  /** `problem` says what is wrong, without the pattern (the caller words the message). */
  | { readonly ok: false; readonly problem: string };

export function tryCompileLinearRegex(source: string): LinearRegexCompilation {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, RE2JS.DOTALL);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return { ok: false, problem: problemOf(source, error) };
  }
  const instructions = compiled.programSize();
  const longest = Math.floor(MATCH_WORK_BUDGET / instructions);
  return {
    ok: true,
    regex: {
      source,
      instructions,
      test(value) {
        if (value.length > longest) {
          throw new AriadneError(
            'InvalidQuery',
            `regular expression "${abbreviate(source)}" is too costly for a value of ${value.length} characters ` +
              `(${instructions} instructions: at most ${longest} characters); use a simpler pattern or narrow the search`,
          );
        }
        return compiled.testExact(value);
      },
    },
  };
}

/** Compiles or throws `InvalidQuery` naming the pattern and the problem. */
export function compileLinearRegex(source: string): LinearRegex {
  const result = tryCompileLinearRegex(source);
  if (!result.ok) throw new AriadneError('InvalidQuery', invalidRegexMessage(source, result.problem));
  return result.regex;
}

export function invalidRegexMessage(source: string, problem: string): string {
  return `invalid regular expression "${abbreviate(source)}": ${problem}`;
}

const LOOKAROUND = /\(\?<?[=!]/;
const BACKREFERENCE = /\\(?:[1-9]|k<)/;
const WHY_RE2 = 'regular expressions use RE2 syntax, which matches in linear time';

/** RE2's own words for most problems; lookaround and backreferences, which RE2 leaves vague, by name. */
function problemOf(source: string, error: RE2JSException): string {
  if (LOOKAROUND.test(source)) return `lookaround ((?=, (?!, (?<=, (?<!) is not supported: ${WHY_RE2}`;
  if (BACKREFERENCE.test(source)) return `backreferences (\\1, \\k<name>) are not supported: ${WHY_RE2}`;
  // re2js quotes the pattern with the `(?s)` it puts before it for the DOTALL flag.
  return error.message.replace(/^error parsing regexp: /, '').replace('`(?s)', '`');
}

/** Error messages quote the pattern, but not a whole pasted kilobyte of it. */
function abbreviate(source: string): string {
  return source.length <= 200 ? source : `${source.slice(0, 200)}…`;
}
