// JavaScript's backtracking RegExp against re2js (RE2's linear-time matcher, as
// `query/linear-regex.ts` uses it), side by side in one run:
//   node --conditions=ariadne-source --import tsx bench/query/regex-engine.bench.ts
// (or `npm run bench regex-engine`). Prints a Markdown table:
// - ordinary TraceQL patterns over many attribute values (what a search pays);
// - the pathological `(a+)+$` of issue 14: re2js on 'a'×34+'b' and on 1 MB;
//   RegExp only on shorter inputs, where it finishes, to show its time doubling
//   with each `a` (at 34 it would run for minutes);
// - re2js's slow path: `.*a.{200}b` over varied text, where its DFA gives up and
//   the simulation costs per instruction per character: the figure behind
//   `MATCH_WORK_BUDGET`.
import { performance } from 'node:perf_hooks';
import { compileLinearRegex, MATCH_WORK_BUDGET } from '../../packages/server/src/query/linear-regex.js';

interface Row {
  readonly label: string;
  readonly input: string;
  readonly regExpMs?: number;
  readonly re2Ms: number;
  readonly note?: string;
}

/** The pattern as JavaScript would run it with the same meaning: anchored, `.` matching line breaks. */
function jsRegExp(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  return new RegExp(`^(?:${insensitive ? pattern.slice(4) : pattern})$`, insensitive ? 'siu' : 'su');
}

/** Best of `rounds` timings of `run`, after one warm-up: the machine is shared. */
function time(run: () => void, rounds = 5): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Seeded xorshift32: the same text every run. */
function randomText(length: number, alphabet: string, seed: number): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out += alphabet[(state >>> 0) % alphabet.length];
  }
  return out;
}

const rows: Row[] = [];

// Ordinary patterns over 100,000 values shaped like the attributes they search.
const VALUES = 100_000;
const routes = Array.from({ length: VALUES }, (_, i) => `/api/v${i % 3}/users/${i}/orders`);
const statements = Array.from(
  { length: VALUES },
  (_, i) => `SELECT id, name FROM ${['users', 'orders', 'items'][i % 3]} WHERE id = ${i}`,
);
const messages = Array.from({ length: VALUES }, (_, i) => (i % 10 === 0 ? `payment failed: code ${i}` : `ok ${i}`));
const ordinary: readonly { pattern: string; values: readonly string[]; what: string }[] = [
  { pattern: 'GET.*', values: routes, what: 'routes' },
  { pattern: '/api/v[0-9]+/users/.*', values: routes, what: 'routes' },
  { pattern: '.*fail.*', values: messages, what: 'messages' },
  { pattern: '(?i)select.*from orders.*', values: statements, what: 'SQL statements' },
  { pattern: 'mysql|postgresql', values: statements, what: 'SQL statements' },
];
for (const { pattern, values, what } of ordinary) {
  const js = jsRegExp(pattern);
  const re2 = compileLinearRegex(pattern);
  let jsHits = 0;
  let re2Hits = 0;
  const regExpMs = time(() => {
    jsHits = 0;
    for (const value of values) if (js.test(value)) jsHits++;
  });
  const re2Ms = time(() => {
    re2Hits = 0;
    for (const value of values) if (re2.test(value)) re2Hits++;
  });
  if (jsHits !== re2Hits) throw new Error(`${pattern}: RegExp matched ${jsHits}, re2js ${re2Hits}`);
  rows.push({
    label: `\`${pattern.replaceAll('|', '\\|')}\``,
    input: `${VALUES.toLocaleString('en')} ${what}`,
    regExpMs,
    re2Ms,
  });
}

// The pathological pattern.
const PATHOLOGICAL = '(a+)+$';
const pathological = compileLinearRegex(PATHOLOGICAL);
const js = jsRegExp(PATHOLOGICAL);
for (const n of [20, 22, 24]) {
  const input = `${'a'.repeat(n)}b`;
  rows.push({
    label: `\`${PATHOLOGICAL}\``,
    input: `'a'×${n}+'b'`,
    regExpMs: time(() => js.test(input), 1),
    re2Ms: time(() => pathological.test(input)),
    note: 'RegExp backtracks: ×4 per two more a',
  });
}
const issueInput = `${'a'.repeat(34)}b`;
rows.push({
  label: `\`${PATHOLOGICAL}\``,
  input: `'a'×34+'b' (issue 14)`,
  re2Ms: time(() => pathological.test(issueInput)),
  note: 'RegExp not run: 2^10 × the 24-a time',
});
const megabyte = `${'a'.repeat(1 << 20)}b`;
rows.push({
  label: `\`${PATHOLOGICAL}\``,
  input: `'a'×1 MiB+'b'`,
  re2Ms: time(() => pathological.test(megabyte), 3),
  note: 'RegExp not run',
});

// re2js's slow path, and what it costs per instruction and character.
const SLOW = '.*a.{200}b';
const slow = compileLinearRegex(SLOW);
// As long a value as the work budget lets this pattern test: the longest a test may block.
const varied = randomText(Math.floor(MATCH_WORK_BUDGET / slow.instructions), 'ab', 7);
const variedJs = jsRegExp(SLOW);
const cpuBefore = process.cpuUsage();
const slowMs = time(() => slow.test(varied), 1);
// CPU time, not wall time, per unit of work: on a shared machine the wall clock also counts other processes.
const cpu = process.cpuUsage(cpuBefore);
// `time` ran the test twice (a warm-up and one timed run).
const slowCpuMs = (cpu.user + cpu.system) / 1_000 / 2;
rows.push({
  label: `\`${SLOW}\``,
  input: `${varied.length.toLocaleString('en')} random a/b (the budget's longest)`,
  regExpMs: time(() => variedJs.test(varied), 1),
  re2Ms: slowMs,
  note: `re2js DFA gives up: ${((slowCpuMs * 1e6) / (slow.instructions * varied.length)).toFixed(0)} ns of CPU per instruction × character (${slow.instructions} instructions; ${slowCpuMs.toFixed(0)} ms of CPU per test)`,
});

const ms = (value: number | undefined) => (value === undefined ? '—' : value < 1 ? value.toFixed(3) : value.toFixed(1));
console.log('| pattern | input | RegExp ms | re2js ms | re2js / RegExp | note |');
console.log('|---|---|---:|---:|---:|---|');
for (const row of rows) {
  const ratio = row.regExpMs === undefined ? '—' : `${(row.re2Ms / row.regExpMs).toFixed(2)}×`;
  console.log(
    `| ${row.label} | ${row.input} | ${ms(row.regExpMs)} | ${ms(row.re2Ms)} | ${ratio} | ${row.note ?? ''} |`,
  );
}
console.log('\nBest of 5 runs after a warm-up (pathological RegExp and the slow path: one run). Node', process.version);
