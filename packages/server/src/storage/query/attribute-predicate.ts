import { type AnyValue, AriadneError, type Attributes, anyValueToString, type Span } from '@ariadne/protocol';
import { compileLinearRegex } from '../../query/linear-regex.js';
import type { AttributePredicate } from '../span-store.js';

/** One attribute predicate, compiled once per query and then applied to many spans. */
export type SpanAttributeTest = (span: Span) => boolean;

type ValueTest = (value: AnyValue) => boolean;

/**
 * Compiles a predicate into a span test. Throws `AriadneError('InvalidQuery')`
 * for a malformed predicate (bad regular expression, non-numeric bound).
 *
 * Semantics, after Jaeger's tag filters and TraceQL:
 * - `=`, `=~`, ordering, `exists`: some occurrence of the key within the scope satisfies it.
 * - `!=`, `!~`: the key occurs within the scope and no occurrence equals / matches
 *   (an absent attribute does not match, as in TraceQL, so `!=` never means "missing").
 * - Regular expressions are RE2's, fully anchored, `.` matching line breaks, as in
 *   Tempo (`query/linear-regex.ts`): `=~ "GET"` does not match `GET /users`; write `GET.*`.
 * - Ordering compares numbers: int and double values, and strings that read as a
 *   number (Zipkin and Jaeger clients send `http.status_code` as text).
 */
export function compileAttributePredicate(predicate: AttributePredicate): SpanAttributeTest {
  if (predicate.key === '') throw new AriadneError('InvalidQuery', 'attribute predicate has an empty key');
  const lookup = lookupFor(predicate.scope, predicate.key);
  switch (predicate.operator) {
    case 'exists':
      return (span) => lookup(span, () => true);
    case '=': {
      const expected = requireValue(predicate);
      if (predicate.orArray === true) {
        return (span) => lookup(span, (value) => value.type === 'array' || anyValueToString(value) === expected);
      }
      return (span) => lookup(span, (value) => anyValueToString(value) === expected);
    }
    case '!=': {
      const expected = requireValue(predicate);
      return negated(lookup, (value) => anyValueToString(value) === expected);
    }
    case '=~': {
      const regex = compileLinearRegex(requireValue(predicate));
      if (predicate.orArray === true) {
        return (span) => lookup(span, (value) => value.type === 'array' || regex.test(anyValueToString(value)));
      }
      return (span) => lookup(span, (value) => regex.test(anyValueToString(value)));
    }
    case '!~': {
      const regex = compileLinearRegex(requireValue(predicate));
      return negated(lookup, (value) => regex.test(anyValueToString(value)));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const compare = numericComparison(predicate.operator, requireValue(predicate));
      return (span) => lookup(span, compare);
    }
    default:
      throw new AriadneError('InvalidQuery', `unknown attribute operator "${String(predicate.operator)}"`);
  }
}

/** Calls `test` on each occurrence of the key in the scope; true as soon as one passes. */
type Lookup = (span: Span, test: ValueTest) => boolean;

function lookupFor(scope: AttributePredicate['scope'], key: string): Lookup {
  switch (scope) {
    case 'span':
      return (span, test) => someWithKey(span.attributes, key, test);
    case 'resource':
      return (span, test) => someWithKey(span.resource.attributes, key, test);
    case 'any':
      return (span, test) =>
        someWithKey(span.attributes, key, test) ||
        someWithKey(span.resource.attributes, key, test) ||
        span.events.some((event) => someWithKey(event.attributes, key, test));
    default:
      throw new AriadneError('InvalidQuery', `unknown attribute scope "${String(scope)}"`);
  }
}

function someWithKey(attributes: Attributes, key: string, test: ValueTest): boolean {
  for (const attribute of attributes) if (attribute.key === key && test(attribute.value)) return true;
  return false;
}

function negated(lookup: Lookup, matches: ValueTest): SpanAttributeTest {
  return (span) => {
    let found = false;
    const anyMatch = lookup(span, (value) => {
      found = true;
      return matches(value);
    });
    return found && !anyMatch;
  };
}

function requireValue(predicate: AttributePredicate): string {
  if (predicate.value === undefined) {
    throw new AriadneError('InvalidQuery', `operator ${predicate.operator} on "${predicate.key}" needs a value`);
  }
  return predicate.value;
}

const INTEGER = /^[+-]?\d+$/;

function numericComparison(operator: '<' | '<=' | '>' | '>=', text: string): ValueTest {
  const bound = Number(text);
  if (text.trim() === '' || Number.isNaN(bound)) {
    throw new AriadneError('InvalidQuery', `"${text}" is not a number; ${operator} compares numbers`);
  }
  // Integer bounds compare exactly against int64 attributes beyond 2^53.
  const exactBound = INTEGER.test(text.trim()) ? BigInt(text.trim()) : undefined;
  const holds = (sign: number): boolean => {
    switch (operator) {
      case '<':
        return sign < 0;
      case '<=':
        return sign <= 0;
      case '>':
        return sign > 0;
      case '>=':
        return sign >= 0;
    }
  };
  return (value) => {
    if (value.type === 'int') {
      if (exactBound !== undefined) return holds(value.value < exactBound ? -1 : value.value > exactBound ? 1 : 0);
      return holds(Math.sign(Number(value.value) - bound));
    }
    let number: number;
    if (value.type === 'double') number = value.value;
    else if (value.type === 'string' && value.value.trim() !== '') number = Number(value.value);
    else return false;
    if (Number.isNaN(number)) return false;
    return holds(number < bound ? -1 : number > bound ? 1 : 0);
  };
}
