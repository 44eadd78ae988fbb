/**
 * The TraceQL box's helpers: a small builder that writes a spanset filter
 * from form rows, and the autocompletion context under the cursor.
 */

export type TraceQlOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~';

export interface TraceQlCondition {
  /** `resource.service.name`, `span.http.status_code`, `name`, `duration`, `status`, ... */
  readonly attribute: string;
  readonly operator: TraceQlOperator;
  /** As typed: quoted if it is not a number, boolean, duration or status keyword. */
  readonly value: string;
}

const INTRINSIC_KEYWORDS = new Set(['ok', 'error', 'unset', 'server', 'client', 'producer', 'consumer', 'internal']);
const BARE_VALUE = /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?|true|false|nil)$/;

/** A value as TraceQL wants it: numbers, durations, booleans and status/kind keywords bare, anything else a quoted string. */
export function traceQlValue(attribute: string, value: string): string {
  const v = value.trim();
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return v;
  if (BARE_VALUE.test(v)) return v;
  if ((attribute === 'status' || attribute === 'kind') && INTRINSIC_KEYWORDS.has(v)) return v;
  return JSON.stringify(v);
}

/** `{ a = "x" && b > 1 }`; `{}` (every span) when there is no complete condition. */
export function buildTraceQl(conditions: readonly TraceQlCondition[]): string {
  const parts = conditions
    .filter((c) => c.attribute.trim() !== '' && c.value.trim() !== '')
    .map((c) => `${c.attribute.trim()} ${c.operator} ${traceQlValue(c.attribute.trim(), c.value)}`);
  return parts.length === 0 ? '{}' : `{ ${parts.join(' && ')} }`;
}

export type CompletionContext =
  | { readonly kind: 'attribute'; readonly prefix: string; readonly from: number }
  | { readonly kind: 'value'; readonly attribute: string; readonly prefix: string; readonly from: number }
  | { readonly kind: 'none' };

const ATTRIBUTE_CHARS = /[A-Za-z0-9_.:-]/;

/**
 * What to complete at `cursor`: an attribute name being typed (after `{`,
 * `&&`, `||`, `(` or a space inside braces), or a value after
 * `attribute <op>`. `from` is where the replaced text starts.
 */
export function completionContext(text: string, cursor: number): CompletionContext {
  const before = text.slice(0, cursor);
  if (before.lastIndexOf('{') <= before.lastIndexOf('}')) return { kind: 'none' };
  const value = /([A-Za-z0-9_.:-]+)\s*(=~|!=|>=|<=|=|>|<)\s*("?[^"&|}\s]*)$/.exec(before);
  if (value !== null) {
    const prefix = value[3] as string;
    return { kind: 'value', attribute: value[1] as string, prefix, from: cursor - prefix.length };
  }
  let start = cursor;
  while (start > 0 && ATTRIBUTE_CHARS.test(before[start - 1] as string)) start--;
  const prefix = before.slice(start);
  const preceding = before.slice(0, start).trimEnd();
  if (preceding.endsWith('{') || preceding.endsWith('&&') || preceding.endsWith('||') || preceding.endsWith('(')) {
    return { kind: 'attribute', prefix, from: start };
  }
  return { kind: 'none' };
}

/** Suggestions that start with (then contain) the prefix, best first, at most `limit`. */
export function rankSuggestions(candidates: readonly string[], prefix: string, limit = 12): string[] {
  const p = prefix.toLowerCase().replace(/^"/, '');
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const lower = c.toLowerCase().replace(/^"/, '');
    if (lower.startsWith(p)) starts.push(c);
    else if (p !== '' && lower.includes(p)) contains.push(c);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** Intrinsics every TraceQL engine knows, offered even when the server lists no tags. */
export const TRACEQL_INTRINSICS = [
  'duration',
  'name',
  'status',
  'kind',
  'rootServiceName',
  'rootName',
  'traceDuration',
];
