import { invalidRegexMessage, type LinearRegex, tryCompileLinearRegex } from '../linear-regex.js';
import type { FieldExpr, Pipeline, Query, ScalarExpr, SpansetExpr, Static } from './ast.js';
import { TraceQLError } from './traceql-error.js';

/** Types as Tempo's `StaticType`; `attribute` is "known only at run time". */
export type ValueType = Static['type'] | 'attribute';

export interface IntrinsicInfo {
  /** Tempo's canonical, scoped spelling. */
  readonly canonical: string;
  readonly type: ValueType;
}

const string = 'string' as const;
const duration = 'duration' as const;

/** Every intrinsic Ariadne knows, under each spelling Tempo accepts. */
export const INTRINSICS: ReadonlyMap<string, IntrinsicInfo> = new Map(
  (
    [
      [['name', 'span:name'], 'span:name', string],
      [['status', 'span:status'], 'span:status', 'status'],
      [['statusMessage', 'span:statusMessage'], 'span:statusMessage', string],
      [['kind', 'span:kind'], 'span:kind', 'kind'],
      [['duration', 'span:duration'], 'span:duration', duration],
      [['span:id'], 'span:id', string],
      [['span:parentID'], 'span:parentID', string],
      [['traceDuration', 'trace:duration'], 'trace:duration', duration],
      [['rootName', 'trace:rootName'], 'trace:rootName', string],
      [['rootServiceName', 'trace:rootService', 'trace:rootServiceName'], 'trace:rootService', string],
      [['trace:id'], 'trace:id', string],
      [['event:name'], 'event:name', string],
      [['event:timeSinceStart'], 'event:timeSinceStart', duration],
      [['link:traceID'], 'link:traceID', string],
      [['link:spanID'], 'link:spanID', string],
      [['instrumentation:name'], 'instrumentation:name', string],
      [['instrumentation:version'], 'instrumentation:version', string],
    ] as const
  ).flatMap(([spellings, canonical, type]) => spellings.map((s) => [s, { canonical, type }] as const)),
);

const NUMERIC: ReadonlySet<ValueType> = new Set(['int', 'float', 'duration']);

/**
 * Checks what the grammar cannot: intrinsic names, operand types (Tempo's
 * `validate()`), regular expressions, and where aggregates may stand. Throws
 * `TraceQLError` at the offending node; returns the query unchanged.
 *
 * Attributes have no static type, so `span.code > 1` passes here even when
 * the attribute turns out to be a string; the comparison is then false at run
 * time. Literals and intrinsics are typed: `duration > "x"` is rejected.
 */
export function validateTraceQL(query: Query): Query {
  validatePipeline(query.pipeline);
  const metrics = query.metrics;
  if (metrics !== undefined) {
    if (metrics.field !== undefined) requireNumeric(metrics.field, `${metrics.fn}()`);
    for (const field of metrics.by) typeOf(field);
  }
  return query;
}

function validatePipeline(pipeline: Pipeline): void {
  for (const stage of pipeline.stages) {
    switch (stage.kind) {
      case 'spanset':
        validateSpanset(stage.expr);
        break;
      case 'scalarFilter': {
        const left = scalarTypeOf(stage.left);
        const right = scalarTypeOf(stage.right);
        if (!operandsMatch(left, right)) {
          throw new TraceQLError(stage.pos, `cannot compare ${left} with ${right} using ${stage.op}`);
        }
        break;
      }
      case 'by':
      case 'select':
        for (const field of stage.fields) typeOf(field);
        break;
      case 'coalesce':
        break;
    }
  }
}

function validateSpanset(expr: SpansetExpr): void {
  switch (expr.kind) {
    case 'filter': {
      if (expr.expr === undefined) return;
      const type = typeOf(expr.expr);
      if (type !== 'bool' && type !== 'attribute') {
        throw new TraceQLError(expr.expr.pos, `a spanset filter must be a condition, not ${article(type)} value`);
      }
      return;
    }
    case 'spansetOp':
      validateSpanset(expr.left);
      validateSpanset(expr.right);
      return;
    case 'subPipeline':
      validatePipeline(expr.pipeline);
      return;
  }
}

function scalarTypeOf(expr: ScalarExpr): ValueType {
  switch (expr.kind) {
    case 'static':
      return expr.value.type;
    case 'aggregate':
      if (expr.field === undefined) return 'int';
      return requireNumeric(expr.field, `${expr.name}()`);
    case 'arithmetic': {
      const left = scalarTypeOf(expr.left);
      const right = scalarTypeOf(expr.right);
      return arithmeticType(expr.op, left, right, expr.pos);
    }
  }
}

function requireNumeric(field: FieldExpr, where: string): ValueType {
  const type = typeOf(field);
  if (!NUMERIC.has(type) && type !== 'attribute') {
    throw new TraceQLError(field.pos, `${where} needs a number or duration, not ${article(type)}`);
  }
  return type;
}

/** Resolves an intrinsic's spelling; throws for names Ariadne does not know. */
export function intrinsicInfo(name: string, pos: FieldExpr['pos']): IntrinsicInfo {
  const info = INTRINSICS.get(name);
  if (info === undefined) {
    throw new TraceQLError(
      pos,
      name.includes(':')
        ? `unknown intrinsic "${name}"`
        : `unknown identifier "${name}": attributes need a scope such as span.${name} or .${name}`,
    );
  }
  return info;
}

function operandsMatch(a: ValueType, b: ValueType): boolean {
  if (a === 'attribute' || b === 'attribute' || a === b) return true;
  return NUMERIC.has(a) && NUMERIC.has(b);
}

function arithmeticType(op: string, left: ValueType, right: ValueType, pos: FieldExpr['pos']): ValueType {
  for (const type of [left, right]) {
    if (!NUMERIC.has(type) && type !== 'attribute') {
      throw new TraceQLError(pos, `${op} needs numbers, not ${article(type)}`);
    }
  }
  if (left === 'attribute' || right === 'attribute') return 'attribute';
  if (left === 'duration' || right === 'duration') return 'duration';
  if (left === 'float' || right === 'float' || op === '/') return 'float';
  return 'int';
}

/** The static type of a field expression, checking its parts on the way. */
export function typeOf(expr: FieldExpr): ValueType {
  switch (expr.kind) {
    case 'static':
      return expr.value.type;
    case 'attribute':
      return 'attribute';
    case 'intrinsic':
      return intrinsicInfo(expr.name, expr.pos).type;
    case 'misplacedAggregate':
      throw new TraceQLError(
        expr.pos,
        expr.name.includes('_') || expr.name === 'rate'
          ? `${expr.name}() is a metrics function: it goes last, after "|", as in { } | ${expr.name}()`
          : `${expr.name}() is an aggregate: it goes after "|", as in { } | ${expr.name}(${expr.name === 'count' ? '' : 'duration'}) > 1`,
      );
    case 'unary': {
      const type = typeOf(expr.operand);
      if (expr.op === '!' && type !== 'bool' && type !== 'attribute') {
        throw new TraceQLError(expr.pos, `! needs a condition, not ${article(type)}`);
      }
      if (expr.op === '-' && !NUMERIC.has(type) && type !== 'attribute') {
        throw new TraceQLError(expr.pos, `- needs a number, not ${article(type)}`);
      }
      return expr.op === '!' ? 'bool' : type;
    }
    case 'binary': {
      const left = typeOf(expr.left);
      const right = typeOf(expr.right);
      switch (expr.op) {
        case '&&':
        case '||':
          for (const [type, side] of [
            [left, expr.left],
            [right, expr.right],
          ] as const) {
            if (type !== 'bool' && type !== 'attribute') {
              throw new TraceQLError(side.pos, `${expr.op} needs conditions on both sides, not ${article(type)}`);
            }
          }
          return 'bool';
        case '=~':
        case '!~': {
          if (left !== 'string' && left !== 'attribute') {
            throw new TraceQLError(expr.pos, `${expr.op} matches strings, not ${article(left)}`);
          }
          if (expr.right.kind !== 'static' || expr.right.value.type !== 'string') {
            throw new TraceQLError(
              expr.right.pos,
              `the right side of ${expr.op} must be a string (a regular expression)`,
            );
          }
          compileTraceQLRegex(expr.right.value.value, expr.right.pos);
          return 'bool';
        }
        case '=':
        case '!=':
          if (left === 'nil' || right === 'nil') return 'bool';
          if (!operandsMatch(left, right)) {
            throw new TraceQLError(expr.pos, `cannot compare ${left} with ${right} using ${expr.op}`);
          }
          return 'bool';
        case '<':
        case '<=':
        case '>':
        case '>=':
          for (const type of [left, right]) {
            if (type === 'nil' || type === 'bool' || type === 'status' || type === 'kind') {
              throw new TraceQLError(expr.pos, `${expr.op} cannot order ${type} values`);
            }
          }
          if (!operandsMatch(left, right)) {
            throw new TraceQLError(expr.pos, `cannot compare ${left} with ${right} using ${expr.op}`);
          }
          return 'bool';
        default:
          return arithmeticType(expr.op, left, right, expr.pos);
      }
    }
  }
}

/**
 * A `=~`/`!~` pattern, compiled by the one linear-time engine every store's
 * predicates use (`linear-regex.ts`: RE2 syntax, fully anchored, `.` matching
 * line breaks, as in Tempo); a pattern RE2 cannot run is an error at its place.
 */
export function compileTraceQLRegex(source: string, pos: FieldExpr['pos']): LinearRegex {
  const result = tryCompileLinearRegex(source);
  if (!result.ok) throw new TraceQLError(pos, invalidRegexMessage(source, result.problem));
  return result.regex;
}

function article(type: ValueType): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
