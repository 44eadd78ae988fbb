import { AriadneError, StatusCode } from '@ariadne/protocol';
import { compileAttributePredicate } from '../query/attribute-predicate.js';
import { validateTraceQuery } from '../query/span-matches-query.js';
import type { AttributePredicate, TraceQuery } from '../span-store.js';
import { FLOAT_TYPES, ValueType } from './span-row.js';
import { sqlFloat, sqlInteger, sqlString } from './sql-literal.js';

/**
 * A `TraceQuery` as the conditions on one span row: the span satisfies every
 * condition at once (Jaeger's semantics), with the same meaning as the shared
 * in-process matcher (`query/attribute-predicate.ts`), which validates the
 * query first so both reject the same malformed queries.
 *
 * `prewhere` holds cheap, selective tests ClickHouse runs first, reading the
 * other columns only for granules that pass: durations, the error status, and
 * for `=` a plain `has()` of the value, which the exact test in `where`
 * (the key, the scope) then confirms. Empty when there is none.
 */
export function spanConditionsSql(query: TraceQuery): { prewhere: string; where: string } {
  validateTraceQuery(query);
  for (const predicate of query.attributes ?? []) compileAttributePredicate(predicate);
  const where = [
    `start_ns >= ${sqlInteger(query.timeRange.startNanos)}`,
    `start_ns <= ${sqlInteger(query.timeRange.endNanos)}`,
  ];
  const prewhere: string[] = [];
  if (query.service !== undefined) where.push(`service = ${sqlString(query.service)}`);
  if (query.operation !== undefined) where.push(`name = ${sqlString(query.operation)}`);
  if (query.spanKind !== undefined) where.push(`kind = ${sqlInteger(query.spanKind)}`);
  if (query.errorsOnly) prewhere.push(`status_code = ${StatusCode.Error}`);
  if (query.minDurationNanos !== undefined) prewhere.push(`duration_ns >= ${sqlInteger(query.minDurationNanos)}`);
  if (query.maxDurationNanos !== undefined) prewhere.push(`duration_ns <= ${sqlInteger(query.maxDurationNanos)}`);
  for (const predicate of query.attributes ?? []) {
    if (predicate.operator === '=') {
      const value = sqlString(predicate.value ?? '');
      const arrays = (p: string) => (predicate.orArray === true ? ` OR has(${p}.type, ${ValueType.array})` : '');
      prewhere.push(`(${SCOPES[predicate.scope].map((p) => `has(${p}.value, ${value})${arrays(p)}`).join(' OR ')})`);
    }
    where.push(`(${attributePredicateSql(predicate)})`);
  }
  return { prewhere: prewhere.join(' AND '), where: where.join(' AND ') };
}

const SCOPES = { span: ['attr'], resource: ['resource'], any: ['attr', 'resource', 'event'] } as const;

/** One predicate over the attribute arrays of its scope (validated by the caller). */
export function attributePredicateSql(predicate: AttributePredicate): string {
  const prefixes = SCOPES[predicate.scope];
  const key = sqlString(predicate.key);
  /** Some occurrence of the key within the scope satisfies `test` (a lambda body over k, v, t, n). */
  const some = (test: string) =>
    prefixes
      .map((p) => `arrayExists((k, v, t, n) -> k = ${key} AND (${test}), ${p}.key, ${p}.value, ${p}.type, ${p}.number)`)
      .join(' OR ');
  const present = prefixes.map((p) => `has(${p}.key, ${key})`).join(' OR ');
  const value = predicate.value ?? '';
  switch (predicate.operator) {
    case 'exists':
      return present;
    case '=':
      return some(`v = ${sqlString(value)}${predicate.orArray === true ? ` OR t = ${ValueType.array}` : ''}`);
    case '!=':
      return `(${present}) AND NOT (${some(`v = ${sqlString(value)}`)})`;
    case '=~':
      return some(`match(v, ${regexSql(value)})${predicate.orArray === true ? ` OR t = ${ValueType.array}` : ''}`);
    case '!~':
      return `(${present}) AND NOT (${some(`match(v, ${regexSql(value)})`)})`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return some(numericComparisonSql(predicate.operator, value));
    default:
      throw new AriadneError('InvalidQuery', `unknown attribute operator "${String(predicate.operator)}"`);
  }
}

/**
 * Our regular expressions (`query/linear-regex.ts`) are RE2's, as ClickHouse's
 * are, and match whole values with `.` matching line breaks (Tempo's meaning);
 * ClickHouse's `match()` searches for a substring, hence the anchors (around a
 * group, so that `a|b` stays one alternative). The caller has compiled the
 * pattern with re2js first, so ClickHouse never sees one we would reject.
 */
export function regexSql(source: string): string {
  return sqlString(`(?s)^(?:${source})$`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function numericComparisonSql(operator: '<' | '<=' | '>' | '>=', text: string): string {
  const trimmed = text.trim();
  const float = `n ${operator} ${sqlFloat(Number(trimmed))}`;
  const floatTypes = `t IN (${FLOAT_TYPES.join(', ')})`;
  const numeric = `t IN (${[ValueType.int, ...FLOAT_TYPES].join(', ')}) AND ${float}`;
  if (!/^[+-]?\d+$/.test(trimmed)) return numeric;
  const bound = BigInt(trimmed);
  if (bound < INT64_MIN || bound > INT64_MAX) return numeric;
  // Integer bounds compare exactly against int64 attributes beyond 2^53.
  return `(t = ${ValueType.int} AND toInt64OrZero(v) ${operator} toInt64(${sqlString(bound.toString())})) OR (${floatTypes} AND ${float})`;
}
