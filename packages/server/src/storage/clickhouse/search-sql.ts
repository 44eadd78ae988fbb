import { AriadneError, StatusCode } from '@ariadne/protocol';
import { compileAttributePredicate } from '../query/attribute-predicate.js';
import { validateTraceQuery } from '../query/span-matches-query.js';
import type { AttributePredicate, TraceQuery } from '../span-store.js';
import { FLOAT_NUMERIC, INT_NUMERIC } from './span-row.js';
import { sqlFloat, sqlInteger, sqlString } from './sql-literal.js';

/**
 * A `TraceQuery` as the WHERE clause of one span row: the span satisfies every
 * condition at once (Jaeger's semantics), with the same meaning as the shared
 * in-process matcher (`query/attribute-predicate.ts`), which validates the
 * query first so both reject the same malformed queries.
 */
export function spanConditionsSql(query: TraceQuery): string {
  validateTraceQuery(query);
  for (const predicate of query.attributes ?? []) compileAttributePredicate(predicate);
  const conditions = [
    `start_ns >= ${sqlInteger(query.timeRange.startNanos)}`,
    `start_ns <= ${sqlInteger(query.timeRange.endNanos)}`,
  ];
  if (query.service !== undefined) conditions.push(`service = ${sqlString(query.service)}`);
  if (query.operation !== undefined) conditions.push(`name = ${sqlString(query.operation)}`);
  if (query.spanKind !== undefined) conditions.push(`kind = ${sqlInteger(query.spanKind)}`);
  if (query.errorsOnly) conditions.push(`status_code = ${StatusCode.Error}`);
  if (query.minDurationNanos !== undefined) conditions.push(`duration_ns >= ${sqlInteger(query.minDurationNanos)}`);
  if (query.maxDurationNanos !== undefined) conditions.push(`duration_ns <= ${sqlInteger(query.maxDurationNanos)}`);
  for (const predicate of query.attributes ?? []) conditions.push(`(${attributePredicateSql(predicate)})`);
  return conditions.join(' AND ');
}

const SCOPES = { span: ['attr'], resource: ['resource'], any: ['attr', 'resource', 'event'] } as const;

/** One predicate over the attribute arrays of its scope (validated by the caller). */
export function attributePredicateSql(predicate: AttributePredicate): string {
  const prefixes = SCOPES[predicate.scope];
  const key = sqlString(predicate.key);
  /** Some occurrence of the key within the scope satisfies `test` (a lambda body over k, v, t, n). */
  const some = (test: string) =>
    prefixes
      .map(
        (p) =>
          `arrayExists((k, v, t, n) -> k = ${key} AND (${test}), ${p}_keys, ${p}_values, ${p}_numeric, ${p}_numbers)`,
      )
      .join(' OR ');
  const present = prefixes.map((p) => `has(${p}_keys, ${key})`).join(' OR ');
  const value = predicate.value ?? '';
  switch (predicate.operator) {
    case 'exists':
      return present;
    case '=':
      return some(`v = ${sqlString(value)}`);
    case '!=':
      return `(${present}) AND NOT (${some(`v = ${sqlString(value)}`)})`;
    case '=~':
      return some(`match(v, ${regexSql(value)})`);
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
 * Our regular expressions match whole values (anchored, as in Tempo and
 * Prometheus) and `.` does not match a line break, as in JavaScript; ClickHouse's
 * RE2 searches for a substring and lets `.` match `\n`, hence the wrapping.
 * Syntax RE2 lacks (lookaround, backreferences) fails in ClickHouse with code
 * 427, which the store reports as InvalidQuery.
 */
export function regexSql(source: string): string {
  return sqlString(`(?-s)^(?:${source})$`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function numericComparisonSql(operator: '<' | '<=' | '>' | '>=', text: string): string {
  const trimmed = text.trim();
  const number = Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, Number(trimmed)));
  const float = `n ${operator} ${sqlFloat(number)}`;
  const floatOnly = `t IN (${INT_NUMERIC}, ${FLOAT_NUMERIC}) AND ${float}`;
  if (!/^[+-]?\d+$/.test(trimmed)) return floatOnly;
  const bound = BigInt(trimmed);
  if (bound < INT64_MIN || bound > INT64_MAX) return floatOnly;
  // Integer bounds compare exactly against int64 attributes beyond 2^53.
  return `(t = ${INT_NUMERIC} AND toInt64OrZero(v) ${operator} toInt64(${sqlString(bound.toString())})) OR (t = ${FLOAT_NUMERIC} AND ${float})`;
}
