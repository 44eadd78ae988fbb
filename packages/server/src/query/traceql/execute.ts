import { type AnyValue, type Attributes, type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import type { LinearRegex } from '../linear-regex.js';
import type { ScanPacer } from '../query-deadline.js';
import type {
  ComparisonOperator,
  FieldExpr,
  KindValue,
  Pipeline,
  PipelineStage,
  Query,
  ScalarExpr,
  SpansetExpr,
  Static,
  StatusValue,
} from './ast.js';
import { formatField } from './format-field.js';
import { RegexSliceUsedUp, RegexWork } from './regex-work.js';
import { compileTraceQLRegex, INTRINSICS, typeOf } from './validate.js';

/** A group of spans of one trace that a query selected, with what the pipeline learnt about it. */
export interface Spanset {
  /** Ordered by start time, then span id; no span twice. */
  readonly spans: readonly Span[];
  /** `by(…)` groups: the field as written and the group's value. */
  readonly groups: readonly { readonly name: string; readonly value: Static }[];
  /** Fields named by `select(…)`, to be shown with each span. */
  readonly selected: readonly FieldExpr[];
  /** The value of the last aggregate of a scalar filter, when there was one. */
  readonly scalar?: Static;
}

const NIL: Static = { type: 'nil' };
const TRUE: Static = { type: 'bool', value: true };
const FALSE: Static = { type: 'bool', value: false };

const STATUS_NAMES: Record<StatusCode, StatusValue> = {
  [StatusCode.Unset]: 'unset',
  [StatusCode.Ok]: 'ok',
  [StatusCode.Error]: 'error',
};
const KIND_NAMES: Record<SpanKind, KindValue> = {
  [SpanKind.Unspecified]: 'unspecified',
  [SpanKind.Internal]: 'internal',
  [SpanKind.Server]: 'server',
  [SpanKind.Client]: 'client',
  [SpanKind.Producer]: 'producer',
  [SpanKind.Consumer]: 'consumer',
};

const REGEXES = new Map<string, LinearRegex>();

/** What every span of one trace can ask about its trace: computed once per trace. */
export class TraceContext {
  readonly byId = new Map<string, Span>();
  readonly root: Span | undefined;
  readonly durationNanos: number;

  constructor(
    readonly spans: readonly Span[],
    /** Counts and remembers the regex matches of the evaluation (see `RegexWork`); bounded by default. */
    readonly regexWork: RegexWork = RegexWork.bounded(),
  ) {
    let start: bigint | undefined;
    let end: bigint | undefined;
    let root: Span | undefined;
    for (const span of spans) {
      this.byId.set(span.spanId, span);
      if (span.parentSpanId === '' && root === undefined) root = span;
      if (start === undefined || span.startTimeUnixNano < start) start = span.startTimeUnixNano;
      if (end === undefined || span.endTimeUnixNano > end) end = span.endTimeUnixNano;
    }
    this.root = root;
    this.durationNanos = start === undefined || end === undefined || end < start ? 0 : Number(end - start);
  }

  parentOf(span: Span): Span | undefined {
    return span.parentSpanId === '' ? undefined : this.byId.get(span.parentSpanId);
  }

  regex(source: string): LinearRegex {
    let regex = REGEXES.get(source);
    if (regex === undefined) {
      // Queries are few and traces many: compile once per query text, not per trace.
      if (REGEXES.size >= 1_000) REGEXES.clear();
      regex = compileTraceQLRegex(source, { offset: 0, line: 1, column: 1 });
      REGEXES.set(source, regex);
    }
    return regex;
  }

  /** Whether `value` matches the pattern `source` whole. */
  matches(source: string, value: string): boolean {
    return this.regexWork.test(this.regex(source), value);
  }
}

/**
 * Evaluates a validated query's spanset pipeline over one whole trace (every
 * stored span of it, in any order) and returns the matching spansets: none
 * when the trace does not match. Metrics stages are ignored here (see
 * `executeTraceQLMetrics`).
 *
 * Semantics, after Tempo:
 * - a filter keeps the spans of its input for which the condition holds; a
 *   missing attribute is `nil`, which equals only `nil` (so `!=` needs the
 *   attribute present, and `!= nil` means "present");
 * - values of different types are never equal; int, float and duration compare
 *   as numbers; ordering a string attribute against a number reads the string
 *   as a number when it is one (Jaeger and Zipkin clients send numbers as text);
 * - `event.`, `link.`, `event:` and `link:` fields, and array attributes, hold
 *   when any of their values does;
 * - `.x` is the span's attribute when it has one, else the resource's;
 * - `{a} && {b}`: both must match, the spans of both; `{a} || {b}`: either;
 *   `{a} > {b}`: the b-spans whose parent is an a-span (`>>` ancestor, `<` child,
 *   `<<` descendant, `~` sibling); `!>` etc.: the b-spans for which the relation
 *   does not hold; `&>` etc.: the spans on both sides of each relation.
 */
export function executeTraceQL(query: Query, spans: readonly Span[]): Spanset[] {
  return executeInContext(query, new TraceContext(spans));
}

/**
 * `executeInContext` on the thread that also answers `/health` and ingest:
 * when the regex work of the evaluation outgrows a slice (`RegexWork.paced`),
 * a turn of the event loop (and a deadline check), then the evaluation again,
 * which finds the matches made so far remembered. Give it a context made with
 * `RegexWork.paced()`; with a bounded one it is `executeInContext`.
 */
export async function evaluatePaced<T>(ctx: TraceContext, pacer: ScanPacer, evaluate: () => T): Promise<T> {
  for (;;) {
    try {
      return evaluate();
    } catch (error) {
      if (!(error instanceof RegexSliceUsedUp)) throw error;
      ctx.regexWork.newSlice();
      await pacer.turn();
    }
  }
}

/** `executeTraceQL` for a caller that keeps using the trace's context afterwards. */
export function executeInContext(query: Query, ctx: TraceContext): Spanset[] {
  if (ctx.spans.length === 0) return [];
  return runPipeline(query.pipeline, [{ spans: sortSpans([...ctx.spans]), groups: [], selected: [] }], ctx);
}

function runPipeline(pipeline: Pipeline, input: Spanset[], ctx: TraceContext): Spanset[] {
  let sets = input;
  for (const stage of pipeline.stages) {
    sets = runStage(stage, sets, ctx);
    if (sets.length === 0) return sets;
  }
  return sets;
}

function runStage(stage: PipelineStage, input: Spanset[], ctx: TraceContext): Spanset[] {
  switch (stage.kind) {
    case 'spanset': {
      const out: Spanset[] = [];
      for (const set of input) {
        const spans = evalSpanset(stage.expr, set, ctx);
        if (spans.length > 0) out.push({ ...set, spans: sortSpans(spans) });
      }
      return out;
    }
    case 'scalarFilter': {
      const out: Spanset[] = [];
      for (const set of input) {
        const left = evalScalar(stage.left, set, ctx);
        const right = evalScalar(stage.right, set, ctx);
        if (compare(stage.op, left, right, ctx)) {
          const scalar = stage.left.kind === 'aggregate' ? left : right;
          out.push({ ...set, scalar });
        }
      }
      return out;
    }
    case 'by': {
      const out: Spanset[] = [];
      for (const set of input) {
        const groups = new Map<string, { values: Static[]; spans: Span[] }>();
        for (const span of set.spans) {
          const values = stage.fields.map((field) => evalField(field, span, ctx)[0] ?? NIL);
          const key = JSON.stringify(values);
          let group = groups.get(key);
          if (group === undefined) {
            group = { values, spans: [] };
            groups.set(key, group);
          }
          group.spans.push(span);
        }
        for (const group of groups.values()) {
          out.push({
            ...set,
            spans: group.spans,
            groups: [
              ...set.groups,
              ...stage.fields.map((field, i) => ({ name: `by(${formatField(field)})`, value: group.values[i]! })),
            ],
          });
        }
      }
      return out;
    }
    case 'select':
      return input.map((set) => ({ ...set, selected: [...set.selected, ...stage.fields] }));
    case 'coalesce': {
      if (input.length <= 1) return input;
      const spans = new Set<Span>();
      for (const set of input) for (const span of set.spans) spans.add(span);
      return [{ spans: sortSpans([...spans]), groups: [], selected: input.flatMap((set) => set.selected) }];
    }
  }
}

/** The spans a spanset expression selects from one input spanset. */
function evalSpanset(expr: SpansetExpr, input: Spanset, ctx: TraceContext): Span[] {
  switch (expr.kind) {
    case 'filter':
      if (expr.expr === undefined) return [...input.spans];
      return input.spans.filter((span) => isTrue(evalField(expr.expr!, span, ctx)));
    case 'subPipeline': {
      const sets = runPipeline(expr.pipeline, [input], ctx);
      return union(sets.map((set) => set.spans));
    }
    case 'spansetOp': {
      const left = evalSpanset(expr.left, input, ctx);
      if (expr.op === '&&') {
        if (left.length === 0) return [];
        const right = evalSpanset(expr.right, input, ctx);
        return right.length === 0 ? [] : union([left, right]);
      }
      const right = evalSpanset(expr.right, input, ctx);
      if (expr.op === '||') return union([left, right]);
      return structural(expr.op, left, right, ctx);
    }
  }
}

function structural(op: string, left: Span[], right: Span[], ctx: TraceContext): Span[] {
  const union = op.startsWith('&');
  const negated = op.startsWith('!');
  const relation = union || negated ? op.slice(1) : op;
  const leftSet = new Set(left);
  // Does `r` stand in `relation` to some span of `left`?  (`l > r`: l is r's parent.)
  const related = (r: Span): Span[] => {
    switch (relation) {
      case '>': {
        const parent = ctx.parentOf(r);
        return parent !== undefined && leftSet.has(parent) ? [parent] : [];
      }
      case '>>': {
        const found: Span[] = [];
        const seen = new Set<Span>();
        for (let p = ctx.parentOf(r); p !== undefined && !seen.has(p); p = ctx.parentOf(p)) {
          seen.add(p);
          if (leftSet.has(p)) found.push(p);
        }
        return found;
      }
      case '<':
        return left.filter((l) => ctx.parentOf(l) === r);
      case '<<':
        return left.filter((l) => {
          const seen = new Set<Span>();
          for (let p = ctx.parentOf(l); p !== undefined && !seen.has(p); p = ctx.parentOf(p)) {
            seen.add(p);
            if (p === r) return true;
          }
          return false;
        });
      case '~':
        return r.parentSpanId === '' ? [] : left.filter((l) => l !== r && l.parentSpanId === r.parentSpanId);
      default:
        return [];
    }
  };
  if (negated) return right.filter((r) => related(r).length === 0);
  if (!union) return right.filter((r) => related(r).length > 0);
  const out = new Set<Span>();
  for (const r of right) {
    const partners = related(r);
    if (partners.length === 0) continue;
    out.add(r);
    for (const partner of partners) out.add(partner);
  }
  return [...out];
}

function union(lists: readonly (readonly Span[])[]): Span[] {
  const out = new Set<Span>();
  for (const list of lists) for (const span of list) out.add(span);
  return [...out];
}

function sortSpans(spans: Span[]): Span[] {
  return spans.sort((a, b) =>
    a.startTimeUnixNano < b.startTimeUnixNano
      ? -1
      : a.startTimeUnixNano > b.startTimeUnixNano
        ? 1
        : a.spanId < b.spanId
          ? -1
          : a.spanId > b.spanId
            ? 1
            : 0,
  );
}

function isTrue(values: readonly Static[]): boolean {
  for (const value of values) if (value.type === 'bool' && value.value) return true;
  return false;
}

/** The candidate values of a field for one span: one, or several for events, links and arrays; `[nil]` when absent. */
export function evalField(expr: FieldExpr, span: Span, ctx: TraceContext): Static[] {
  switch (expr.kind) {
    case 'static':
      return [expr.value];
    case 'attribute':
      return attributeValues(expr.scope, expr.name, span);
    case 'intrinsic':
      return intrinsicValues(INTRINSICS.get(expr.name)?.canonical ?? expr.name, span, ctx);
    case 'misplacedAggregate':
      return [NIL];
    case 'unary': {
      const values = evalField(expr.operand, span, ctx);
      if (expr.op === '!') return [isTrue(values) ? FALSE : TRUE];
      return values.map(negate);
    }
    case 'binary': {
      const op = expr.op;
      if (op === '&&')
        return [isTrue(evalField(expr.left, span, ctx)) && isTrue(evalField(expr.right, span, ctx)) ? TRUE : FALSE];
      if (op === '||')
        return [isTrue(evalField(expr.left, span, ctx)) || isTrue(evalField(expr.right, span, ctx)) ? TRUE : FALSE];
      const lefts = evalField(expr.left, span, ctx);
      const rights = evalField(expr.right, span, ctx);
      if (isComparison(op)) {
        const nilLiteral = isNilLiteral(expr.left) || isNilLiteral(expr.right);
        for (const l of lefts) {
          for (const r of rights) {
            if (nilLiteral ? compareNil(op, l, r) : compare(op, l, r, ctx)) return [TRUE];
          }
        }
        return [FALSE];
      }
      const out: Static[] = [];
      for (const l of lefts) for (const r of rights) out.push(arithmetic(op, l, r));
      return out;
    }
  }
}

function isNilLiteral(expr: FieldExpr): boolean {
  return expr.kind === 'static' && expr.value.type === 'nil';
}

function isComparison(op: string): op is ComparisonOperator {
  return (
    op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=' || op === '=~' || op === '!~'
  );
}

function compareNil(op: ComparisonOperator, l: Static, r: Static): boolean {
  const bothNil = l.type === 'nil' && r.type === 'nil';
  if (op === '=') return bothNil;
  if (op === '!=') return !bothNil;
  return false;
}

function negate(value: Static): Static {
  if (value.type === 'int' || value.type === 'float' || value.type === 'duration')
    return { ...value, value: -value.value };
  return NIL;
}

function numberOf(value: Static): number | undefined {
  return value.type === 'int' || value.type === 'float' || value.type === 'duration' ? value.value : undefined;
}

function arithmetic(op: string, l: Static, r: Static): Static {
  const a = numberOf(l);
  const b = numberOf(r);
  if (a === undefined || b === undefined) return NIL;
  let result: number;
  switch (op) {
    case '+':
      result = a + b;
      break;
    case '-':
      result = a - b;
      break;
    case '*':
      result = a * b;
      break;
    case '/':
      if (b === 0) return NIL;
      result = a / b;
      break;
    case '%':
      if (b === 0) return NIL;
      result = a % b;
      break;
    case '^':
      result = a ** b;
      break;
    default:
      return NIL;
  }
  if (l.type === 'duration' || r.type === 'duration') return { type: 'duration', value: result };
  if (l.type === 'float' || r.type === 'float' || op === '/' || !Number.isInteger(result)) {
    return { type: 'float', value: result };
  }
  return { type: 'int', value: result };
}

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Compares two present values (see `executeTraceQL` for the rules). */
export function compare(
  op: ComparisonOperator,
  l: Static,
  r: Static,
  ctx?: { matches(source: string, value: string): boolean },
): boolean {
  if (l.type === 'nil' || r.type === 'nil') return false;
  if (op === '=~' || op === '!~') {
    if (l.type !== 'string' || r.type !== 'string') return false;
    const matched = ctx
      ? ctx.matches(r.value, l.value)
      : compileTraceQLRegex(r.value, { offset: 0, line: 1, column: 1 }).test(l.value);
    return matched === (op === '=~');
  }
  let a = numberOf(l);
  let b = numberOf(r);
  const ordering = op !== '=' && op !== '!=';
  // Ints compare exactly when either is beyond ±2^53 (int64 attributes, ids kept as numbers).
  if (l.type === 'int' && r.type === 'int' && (l.big !== undefined || r.big !== undefined)) {
    const x = l.big ?? BigInt(l.value);
    const y = r.big ?? BigInt(r.value);
    return ordered(op, x < y ? -1 : x > y ? 1 : 0);
  }
  if (ordering && a === undefined && b !== undefined && l.type === 'string' && NUMERIC_TEXT.test(l.value)) {
    a = Number(l.value);
  }
  if (ordering && b === undefined && a !== undefined && r.type === 'string' && NUMERIC_TEXT.test(r.value)) {
    b = Number(r.value);
  }
  let sign: number;
  if (a !== undefined && b !== undefined) sign = a < b ? -1 : a > b ? 1 : 0;
  else if (l.type !== r.type) return false;
  else if (l.type === 'string' && r.type === 'string') sign = l.value < r.value ? -1 : l.value > r.value ? 1 : 0;
  else if (ordering) return false;
  else sign = (l as { value: unknown }).value === (r as { value: unknown }).value ? 0 : 1;
  return ordered(op, sign);
}

/** Whether a comparison holds, given the sign of left minus right. */
function ordered(op: Exclude<ComparisonOperator, '=~' | '!~'>, sign: number): boolean {
  switch (op) {
    case '=':
      return sign === 0;
    case '!=':
      return sign !== 0;
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

export function staticOfAnyValue(value: AnyValue, out: Static[]): void {
  switch (value.type) {
    case 'string':
      out.push({ type: 'string', value: value.value });
      return;
    case 'int': {
      const number = Number(value.value);
      out.push(
        Number.isSafeInteger(number)
          ? { type: 'int', value: number }
          : { type: 'int', value: number, big: value.value },
      );
      return;
    }
    case 'double':
      out.push({ type: 'float', value: value.value });
      return;
    case 'bool':
      out.push({ type: 'bool', value: value.value });
      return;
    case 'array':
      // Arrays match when any element does (Tempo 2.7+).
      for (const element of value.value) staticOfAnyValue(element, out);
      return;
    case 'bytes':
      out.push({ type: 'string', value: Buffer.from(value.value).toString('base64') });
      return;
    case 'kvlist':
    case 'empty':
      return;
  }
}

function collect(attributes: Attributes, name: string, out: Static[]): void {
  for (const attribute of attributes) if (attribute.key === name) staticOfAnyValue(attribute.value, out);
}

function orNil(values: Static[]): Static[] {
  return values.length === 0 ? [NIL] : values;
}

function attributeValues(scope: string, name: string, span: Span): Static[] {
  const out: Static[] = [];
  switch (scope) {
    case 'span':
      collect(span.attributes, name, out);
      break;
    case 'resource':
      collect(span.resource.attributes, name, out);
      break;
    case 'instrumentation':
      collect(span.scope.attributes, name, out);
      break;
    case 'event':
      for (const event of span.events) collect(event.attributes, name, out);
      break;
    case 'link':
      for (const link of span.links) collect(link.attributes, name, out);
      break;
    default:
      collect(span.attributes, name, out);
      if (out.length === 0) collect(span.resource.attributes, name, out);
  }
  return orNil(out);
}

const str = (value: string): Static => ({ type: 'string', value });

function intrinsicValues(name: string, span: Span, ctx: TraceContext): Static[] {
  switch (name) {
    case 'span:name':
      return [str(span.name)];
    case 'span:status':
      return [{ type: 'status', value: STATUS_NAMES[span.status.code] ?? 'unset' }];
    case 'span:statusMessage':
      return [str(span.status.message)];
    case 'span:kind':
      return [{ type: 'kind', value: KIND_NAMES[span.kind] ?? 'unspecified' }];
    case 'span:duration': {
      const d = span.endTimeUnixNano - span.startTimeUnixNano;
      return [{ type: 'duration', value: d > 0n ? Number(d) : 0 }];
    }
    case 'span:id':
      return [str(span.spanId)];
    case 'span:parentID':
      return [span.parentSpanId === '' ? NIL : str(span.parentSpanId)];
    case 'trace:duration':
      return [{ type: 'duration', value: ctx.durationNanos }];
    case 'trace:rootName':
      return [ctx.root === undefined ? NIL : str(ctx.root.name)];
    case 'trace:rootService': {
      if (ctx.root === undefined) return [NIL];
      const values: Static[] = [];
      collect(ctx.root.resource.attributes, 'service.name', values);
      return orNil(values);
    }
    case 'trace:id':
      return [str(span.traceId)];
    case 'event:name':
      return orNil(span.events.map((event) => str(event.name)));
    case 'event:timeSinceStart':
      return orNil(
        span.events.map((event) => ({ type: 'duration', value: Number(event.timeUnixNano - span.startTimeUnixNano) })),
      );
    case 'link:traceID':
      return orNil(span.links.map((link) => str(link.traceId)));
    case 'link:spanID':
      return orNil(span.links.map((link) => str(link.spanId)));
    case 'instrumentation:name':
      return [str(span.scope.name)];
    case 'instrumentation:version':
      return [str(span.scope.version)];
    default:
      return [NIL];
  }
}

function evalScalar(expr: ScalarExpr, set: Spanset, ctx: TraceContext): Static {
  switch (expr.kind) {
    case 'static':
      return expr.value;
    case 'arithmetic':
      return arithmetic(expr.op, evalScalar(expr.left, set, ctx), evalScalar(expr.right, set, ctx));
    case 'aggregate': {
      if (expr.name === 'count') return { type: 'int', value: set.spans.length };
      const field = expr.field!;
      const isDuration = typeOf(field) === 'duration';
      let count = 0;
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const span of set.spans) {
        const value = evalField(field, span, ctx)
          .map(numberOf)
          .find((n) => n !== undefined);
        if (value === undefined) continue;
        count++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
      }
      if (count === 0) return NIL;
      const result = expr.name === 'avg' ? sum / count : expr.name === 'sum' ? sum : expr.name === 'min' ? min : max;
      return { type: isDuration ? 'duration' : 'float', value: result };
    }
  }
}
