import type { AttributePredicate, TraceQuery } from '../../storage/span-store.js';
import type { ComparisonOperator, FieldExpr, Pipeline, Query, SpansetExpr, Static } from './ast.js';
import { INTRINSICS } from './validate.js';

/** The part of a `TraceQuery` a TraceQL query decides; the caller adds time range and limit. */
export type Prefilter = Omit<TraceQuery, 'timeRange' | 'limit'>;

export interface TraceQLPlan {
  readonly query: Query;
  /**
   * A superset filter for `SpanReader.findTraces`: every trace the query can
   * match has one span that satisfies all of it at once (store semantics), so
   * the store may skip every other trace. It may let through traces the query
   * rejects; the engine decides on the whole trace afterwards.
   */
  readonly prefilter: Prefilter;
  /** The conditions contradict each other (`duration > 2s && duration < 1s`): nothing can match. */
  readonly matchesNothing: boolean;
  /** How many conditions were pushed down (for metrics and tests). */
  readonly pushedDown: number;
  /**
   * The query is one spanset filter whose every condition was pushed down, so
   * the store's candidates are (nearly always) the answer and need no over-fetch.
   */
  readonly likelyExact: boolean;
}

interface Condition {
  readonly field: FieldExpr;
  readonly op: ComparisonOperator | 'truthy';
  readonly value?: Static;
}

const FLIPPED: Record<string, ComparisonOperator> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
  '!=': '!=',
};

/**
 * Pushes down what stores can do (service, span name, kind, error status,
 * duration range, attribute equality, regex and numeric comparisons) from the
 * conjunctive part of the query's first spanset stage.
 *
 * Only conditions that one span must meet together are combined: `{a && b}`
 * pushes both, `{a} && {b}` and `{a} > {b}` push the side with more pushable
 * conditions (each side is met by a different span), `{a} !> {b}` pushes `b`,
 * `||` pushes nothing. Conditions the store cannot express are left to the
 * engine. Array attributes match per element in the engine but are kept whole
 * by the stores, so `=` and `=~` are pushed down letting every array through
 * (`orArray`; not by widening the pattern, which would make every test of it
 * dearer, see `linear-regex.ts`); ordering
 * (`>` …) on arrays of numbers is a known gap.
 */
export function planTraceQL(query: Query): TraceQLPlan {
  const conditions = pipelineConditions(query.pipeline);
  let service: string | undefined;
  let operation: string | undefined;
  let spanKind: TraceQuery['spanKind'];
  let errorsOnly = false;
  let min: bigint | undefined;
  let max: bigint | undefined;
  const attributes: AttributePredicate[] = [];
  let pushedDown = 0;
  let matchesNothing = false;

  for (const condition of conditions) {
    const { field, op, value } = condition;
    if (field.kind === 'intrinsic') {
      const canonical = INTRINSICS.get(field.name)?.canonical;
      if (canonical === 'span:name' && op === '=' && value?.type === 'string') {
        if (operation === undefined) operation = value.value;
        else if (operation !== value.value) matchesNothing = true;
        pushedDown++;
      } else if (canonical === 'span:kind' && op === '=' && value?.type === 'kind') {
        const kind = KIND_NUMBERS[value.value];
        if (spanKind === undefined) spanKind = kind;
        else if (spanKind !== kind) matchesNothing = true;
        pushedDown++;
      } else if (canonical === 'span:status' && op === '=' && value?.type === 'status' && value.value === 'error') {
        errorsOnly = true;
        pushedDown++;
      } else if (canonical === 'span:duration' && value !== undefined && isNumber(value)) {
        const n = value.value;
        const floor = BigInt(Math.floor(n));
        const ceil = BigInt(Math.ceil(n));
        const raiseMin = (bound: bigint) => {
          min = min === undefined || bound > min ? bound : min;
        };
        const lowerMax = (bound: bigint) => {
          max = max === undefined || bound < max ? bound : max;
        };
        if (op === '>') raiseMin(floor + 1n);
        else if (op === '>=') raiseMin(ceil);
        else if (op === '<') lowerMax(ceil - 1n);
        else if (op === '<=') lowerMax(floor);
        else if (op === '=' && Number.isInteger(n)) {
          raiseMin(ceil);
          lowerMax(floor);
        } else continue;
        pushedDown++;
      }
      continue;
    }
    if (field.kind !== 'attribute') continue;
    const scope = SCOPES[field.scope];
    if (scope === undefined) continue;
    if (
      field.scope === 'resource' &&
      field.name === 'service.name' &&
      op === '=' &&
      value?.type === 'string' &&
      service === undefined
    ) {
      service = value.value;
      pushedDown++;
      continue;
    }
    const predicate = attributePredicate(field.name, scope, op, value);
    if (predicate !== undefined) {
      attributes.push(predicate);
      pushedDown++;
    }
  }
  if (min !== undefined && max !== undefined && min > max) matchesNothing = true;
  if (min !== undefined && min < 0n) min = 0n;
  if (max !== undefined && max < 0n) matchesNothing = true;

  const prefilter: Prefilter = {
    ...(service !== undefined ? { service } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(spanKind !== undefined ? { spanKind } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
    ...(min !== undefined ? { minDurationNanos: min } : {}),
    ...(max !== undefined && max >= 0n ? { maxDurationNanos: max } : {}),
    ...(errorsOnly ? { errorsOnly } : {}),
  };
  const first = query.pipeline.stages[0];
  const likelyExact =
    query.pipeline.stages.length === 1 &&
    first?.kind === 'spanset' &&
    first.expr.kind === 'filter' &&
    (first.expr.expr === undefined || (isConjunctive(first.expr.expr) && pushedDown === conditions.length));
  return { query, prefilter, matchesNothing, pushedDown, likelyExact };
}

const KIND_NUMBERS = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

const SCOPES: Partial<Record<string, AttributePredicate['scope']>> = {
  span: 'span',
  resource: 'resource',
  // The stores' `any` looks at span, resource and event attributes: a superset of both.
  none: 'any',
  event: 'any',
};

function isNumber(value: Static): value is Static & { value: number } {
  return value.type === 'int' || value.type === 'float' || value.type === 'duration';
}

function attributePredicate(
  key: string,
  scope: AttributePredicate['scope'],
  op: Condition['op'],
  value: Static | undefined,
): AttributePredicate | undefined {
  if (op === 'truthy') return { key, scope, operator: '=', value: 'true' };
  if (value === undefined) return undefined;
  if (value.type === 'nil') return op === '!=' ? { key, scope, operator: 'exists' } : undefined;
  const text =
    value.type === 'string'
      ? value.value
      : value.type === 'bool'
        ? String(value.value)
        : (value.type === 'int' || value.type === 'float') && Number.isSafeInteger(Math.trunc(value.value))
          ? String(value.value)
          : undefined;
  if (text === undefined) return undefined;
  switch (op) {
    case '=':
      // The engine matches array attributes per element; the stores keep arrays whole and let them through.
      return { key, scope, operator: '=', value: text, orArray: true };
    case '!=':
      return { key, scope, operator: op, value: text };
    case '=~':
      // The engine and the stores share one regular expression engine (`linear-regex.ts`), flags included.
      return value.type === 'string' ? { key, scope, operator: op, value: text, orArray: true } : undefined;
    case '!~':
      return value.type === 'string' ? { key, scope, operator: op, value: text } : undefined;
    default:
      // The stores order numbers only; strings order lexically in TraceQL, so they stay in the engine.
      return value.type === 'int' || value.type === 'float' ? { key, scope, operator: op, value: text } : undefined;
  }
}

function pipelineConditions(pipeline: Pipeline): Condition[] {
  const first = pipeline.stages[0];
  return first?.kind === 'spanset' ? spansetConditions(first.expr) : [];
}

function spansetConditions(expr: SpansetExpr): Condition[] {
  switch (expr.kind) {
    case 'filter':
      return expr.expr === undefined ? [] : conjuncts(expr.expr);
    case 'subPipeline':
      return pipelineConditions(expr.pipeline);
    case 'spansetOp': {
      if (expr.op === '||') return [];
      const right = spansetConditions(expr.right);
      if (expr.op.startsWith('!')) return right;
      const left = spansetConditions(expr.left);
      return selectivity(left) >= selectivity(right) ? left : right;
    }
  }
}

/**
 * A rough guess of how much a side's conditions narrow a search, to push the
 * narrower side: errors and exact names are rare, kinds and ranges common.
 */
function selectivity(conditions: readonly Condition[]): number {
  let score = 0;
  for (const { field, op, value } of conditions) {
    if (field.kind === 'intrinsic') {
      const canonical = INTRINSICS.get(field.name)?.canonical;
      if (canonical === 'span:status' && value?.type === 'status' && value.value === 'error' && op === '=') score += 4;
      else if (canonical === 'span:name' && op === '=') score += 3;
      else if (canonical === 'span:duration') score += 1;
      else if (canonical === 'span:kind' && op === '=') score += 0.5;
    } else if (op === '=' || op === '=~' || op === 'truthy')
      score += field.kind === 'attribute' && field.scope === 'resource' ? 1.5 : 2;
    else if (op === '!=' && value?.type === 'nil') score += 0.5;
    else if (op !== '!=' && op !== '!~') score += 1;
  }
  return score;
}

function conjuncts(expr: FieldExpr): Condition[] {
  if (expr.kind === 'binary' && expr.op === '&&') return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  if (expr.kind === 'attribute') return [{ field: expr, op: 'truthy' }];
  if (expr.kind !== 'binary') return [];
  const op = expr.op;
  if (op === '=~' || op === '!~') {
    return expr.right.kind === 'static' && isField(expr.left)
      ? [{ field: expr.left, op, value: expr.right.value }]
      : [];
  }
  const flipped = FLIPPED[op];
  if (flipped === undefined) return [];
  if (expr.right.kind === 'static' && isField(expr.left)) {
    return [{ field: expr.left, op: op as ComparisonOperator, value: expr.right.value }];
  }
  if (expr.left.kind === 'static' && isField(expr.right)) {
    return [{ field: expr.right, op: flipped, value: expr.left.value }];
  }
  return [];
}

/** Only `&&` of comparisons: every part became a condition. */
function isConjunctive(expr: FieldExpr): boolean {
  if (expr.kind === 'binary' && expr.op === '&&') return isConjunctive(expr.left) && isConjunctive(expr.right);
  return conjuncts(expr).length === 1;
}

function isField(expr: FieldExpr): boolean {
  return expr.kind === 'attribute' || expr.kind === 'intrinsic';
}
