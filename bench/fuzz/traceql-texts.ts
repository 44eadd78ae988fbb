import type { SeededRandom } from '../workload/random.js';

/**
 * TraceQL texts for fuzzing a server's query APIs: valid queries built from
 * the grammar (selectors, regular expressions, pathological ones included,
 * structural operators, pipelines, aggregates, metrics), the same mutated a
 * character at a time, and garbage. Most valid ones name `span.x`, which the
 * fuzz run stores as a 1 MiB value, so every pattern meets the worst input.
 */

/** Patterns that backtracking engines take exponential or quadratic time over `aaaa...ab`. */
export const PATHOLOGICAL_PATTERNS = [
  '(a+)+$',
  '(a|aa)+$',
  '(a|a)*b',
  '(a*)*c',
  '([a-z]+)*$',
  '(\\\\w+\\\\s?)*$',
  '(.*a){20}',
  '.*a.{20}c',
  '(.*)*(.*)*(.*)*z',
  'a{1000}{1000}',
  '(((a{100}){100}){100})',
  '(?=a)a',
  '(a)\\\\1',
  '[',
  '(?i)A+B',
  '\\\\p{L}+z',
];

const FIELDS = [
  'span.x',
  '.x',
  'span.x',
  'resource.service.name',
  'name',
  'span."a b"',
  'event:name',
  'trace:rootName',
  'span.http.status_code',
  'duration',
  'status',
  'kind',
];
const STRING_OPS = ['=', '!=', '=~', '!~', '=~', '=~', '>', '<'];
const VALUES = ['"a"', '"b"', '""', '"fuzz"', '100ms', '1', '2.5', 'true', 'nil', 'error', 'server', '-1', '1e308'];
const SPANSET_OPS = ['&&', '||', '>>', '>', '<<', '<', '~', '!>>', '!>', '!~', '&>>', '&~'];
const PIPELINES = [
  'count() > 1',
  'count() = 0',
  'avg(duration) > 1ms',
  'max(span.x) > 1',
  'sum(duration) < 1s',
  'select(span.x, name)',
  'by(resource.service.name)',
  'by(span.x) | count() > 0',
  'coalesce()',
  'rate()',
  'count_over_time() by (span.x)',
  'quantile_over_time(duration, .9, .99)',
  'histogram_over_time(duration)',
  'topk(5)',
];
const NOISE = ['{', '}', '(', ')', '|', '"', '`', '\\', '=~', '&&', '.', ':', '\u0000', '\u2028', '😀', ' ', '*', '$'];

/** A quoted regular expression: pathological most of the time, else a random small one. */
function pattern(random: SeededRandom): string {
  if (random.chance(0.7)) return `"${random.pick(PATHOLOGICAL_PATTERNS)}"`;
  const atoms = ['a', 'b', '.', '\\\\w', '[a-z]', '(a|b)', '\\\\d', 'x'];
  let text = '';
  for (let i = random.int(1, 6); i > 0; i--) text += random.pick(atoms) + random.pick(['', '*', '+', '?', '{2,5}']);
  return `"${text}"`;
}

function condition(random: SeededRandom): string {
  const op = random.pick(STRING_OPS);
  const regex = op === '=~' || op === '!~';
  // Patterns mostly meet the 1 MiB value: that is where a backtracking engine would hang.
  const field = regex && random.chance(0.6) ? random.pick(['span.x', '.x']) : random.pick(FIELDS);
  return `${field} ${op} ${regex ? pattern(random) : random.pick(VALUES)}`;
}

function selector(random: SeededRandom, depth = 0): string {
  if (random.chance(0.1)) return '{ }';
  let body = condition(random);
  for (let i = random.int(0, 3); i > 0; i--) {
    const next = depth < 2 && random.chance(0.2) ? `(${condition(random)})` : condition(random);
    body = `${body} ${random.pick(['&&', '||'])} ${next}`;
  }
  return `{ ${body} }`;
}

/** A query the grammar allows (or nearly: metrics in a search, unknown functions). */
export function validTraceQL(random: SeededRandom): string {
  let query = selector(random);
  for (let i = random.int(0, 2); i > 0; i--) query = `${query} ${random.pick(SPANSET_OPS)} ${selector(random)}`;
  if (random.chance(0.3)) query = `(${query})`;
  for (let i = random.int(0, 2); i > 0; i--) query = `${query} | ${random.pick(PIPELINES)}`;
  return query;
}

/** One character changed, removed, doubled or inserted; or the text cut, or a slice repeated. */
function mutate(text: string, random: SeededRandom): string {
  const at = random.int(0, Math.max(0, text.length - 1));
  switch (random.int(0, 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + random.pick(NOISE) + text.slice(at);
    case 2:
      return text.slice(0, at);
    case 3: {
      const end = random.int(at, text.length);
      return text.slice(0, end) + text.slice(at, end).repeat(random.int(2, 50)) + text.slice(end);
    }
    case 4:
      return text.slice(0, at) + random.pick(NOISE) + text.slice(at + 1);
    default:
      return text.slice(0, at) + text[at] + text.slice(at);
  }
}

/** Nesting and sizes that test a parser's recursion and the server's URL and body limits. */
function garbage(random: SeededRandom): string {
  switch (random.int(0, 4)) {
    case 0: {
      const depth = random.pick([100, 1_000, 5_000]);
      return `${'('.repeat(depth)}{ span.x = "a" }${')'.repeat(depth)}`;
    }
    case 1:
      return `{ ${Array.from({ length: random.pick([100, 1_000]) }, () => 'span.x =~ "(a+)+$"').join(' || ')} }`;
    case 2:
      return Array.from({ length: random.int(1, 200) }, () => random.pick(NOISE)).join('');
    case 3:
      return `{ span.x = "${'a'.repeat(random.pick([1_000, 6_000]))}" }`;
    default:
      return `{ ${'!'.repeat(random.int(1, 2_000))}true }`;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Mutations cut by UTF-16 unit and may split an emoji. A lone half cannot be
 * sent at all (UTF-8 has no bytes for it: `encodeURIComponent` throws in the
 * client, before any request), so it becomes U+FFFD, as a decoder would make it.
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** The next text of a fuzz run, with the kind that made it (for the report). */
export function fuzzTraceQL(random: SeededRandom): { kind: 'valid' | 'mutated' | 'garbage'; text: string } {
  const roll = random.next();
  if (roll < 0.45) return { kind: 'valid', text: validTraceQL(random) };
  if (roll < 0.9) {
    let text = validTraceQL(random);
    for (let i = random.int(1, 4); i > 0; i--) text = mutate(text, random);
    return { kind: 'mutated', text: wellFormed(text) };
  }
  return { kind: 'garbage', text: garbage(random) };
}
