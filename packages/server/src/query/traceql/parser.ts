import type {
  AggregateName,
  ArithmeticOperator,
  BinaryOperator,
  ComparisonOperator,
  FieldExpr,
  KindValue,
  MetricsFunction,
  MetricsStage,
  Pipeline,
  PipelineStage,
  Position,
  Query,
  ScalarExpr,
  SpansetExpr,
  SpansetOperator,
  Static,
  StatusValue,
} from './ast.js';
import { type Token, tokenize } from './lexer.js';
import { TraceQLError } from './traceql-error.js';

const COMPARISONS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=', '=~', '!~']);
const STRUCTURAL: ReadonlySet<string> = new Set([
  '>',
  '>>',
  '<',
  '<<',
  '~',
  '!>',
  '!>>',
  '!<',
  '!<<',
  '!~',
  '&>',
  '&>>',
  '&<',
  '&<<',
  '&~',
]);
export const AGGREGATES: ReadonlySet<string> = new Set(['count', 'avg', 'min', 'max', 'sum']);
const METRICS: ReadonlySet<string> = new Set([
  'rate',
  'count_over_time',
  'min_over_time',
  'max_over_time',
  'avg_over_time',
  'sum_over_time',
  'quantile_over_time',
  'histogram_over_time',
]);
const STATUSES: ReadonlySet<string> = new Set(['error', 'ok', 'unset']);
const KINDS: ReadonlySet<string> = new Set(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);

/** Binding power of field-expression operators (higher binds tighter). */
const FIELD_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '=': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '=~': 3,
  '!~': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

/**
 * How deep a query may nest: parentheses, operators (a chain `a || b || …`
 * nests one level per operator), negations, sub-pipelines. The parser and
 * every later stage (validation, planning, evaluation) walk the tree
 * recursively, so without a limit 5,000 parentheses overflowed the stack (a
 * 500); real queries nest a few levels, a 100-way `||` a hundred.
 */
export const MAX_TRACEQL_NESTING = 256;

/**
 * Parses TraceQL text into a syntax tree (recursive descent, Pratt for the
 * operators). Throws `TraceQLError` naming line:column and what was expected.
 * Types, intrinsic names and placement are checked later, by `validate`.
 */
export function parseTraceQL(text: string): Query {
  return new Parser(tokenize(text)).parseQuery();
}

class Parser {
  private index = 0;
  /** Recursive calls in progress: bounds the parser's own stack. */
  private nesting = 0;
  /** Height of each operator node built (leaves are 1): bounds the tree's depth, which loops build too. */
  private readonly heights = new WeakMap<object, number>();
  constructor(private readonly tokens: readonly Token[]) {}

  /** Runs a recursive step one level deeper, or refuses the query past `MAX_TRACEQL_NESTING`. */
  private nested<T>(parse: () => T): T {
    if (++this.nesting > MAX_TRACEQL_NESTING) this.tooDeep(this.token.pos);
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  /** `node`, one level above the highest of `children`; refused past `MAX_TRACEQL_NESTING`. */
  private over<T extends object>(node: T, ...children: object[]): T {
    let height = 0;
    for (const child of children) height = Math.max(height, this.heights.get(child) ?? 1);
    if (height + 1 > MAX_TRACEQL_NESTING) this.tooDeep((node as { pos?: Position }).pos ?? this.token.pos);
    this.heights.set(node, height + 1);
    return node;
  }

  private tooDeep(pos: Position): never {
    throw new TraceQLError(
      pos,
      `the query nests too deeply (more than ${MAX_TRACEQL_NESTING} levels of parentheses, operators or negations); simplify it`,
    );
  }

  private get token(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.token;
    if (token.type !== 'eof') this.index++;
    return token;
  }

  private atEnd(): boolean {
    return this.token.type === 'eof';
  }

  private isPunct(text: string): boolean {
    return this.token.type === 'punct' && this.token.text === text;
  }

  private expectPunct(text: string, what = `"${text}"`): Token {
    if (!this.isPunct(text)) this.fail(what);
    return this.next();
  }

  private fail(expected: string): never {
    throw new TraceQLError(this.token.pos, `expected ${expected}, found ${describe(this.token)}`);
  }

  parseQuery(): Query {
    if (this.atEnd()) this.fail('a spanset filter such as { }');
    const { pipeline, metrics } = this.parsePipeline(true);
    if (!this.atEnd()) this.fail(this.isPunct(')') ? 'end of query (unbalanced ")")' : '"|" or end of query');
    return metrics === undefined ? { pipeline } : { pipeline, metrics };
  }

  private parsePipeline(allowMetrics: boolean): { pipeline: Pipeline; metrics?: MetricsStage } {
    const pos = this.token.pos;
    const stages: PipelineStage[] = [];
    const firstPos = this.token.pos;
    stages.push({ kind: 'spanset', expr: this.parseSpansetExpr(), pos: firstPos });
    while (this.isPunct('|')) {
      this.next();
      const token = this.token;
      if (token.type === 'ident' && METRICS.has(token.text)) {
        if (!allowMetrics) {
          throw new TraceQLError(token.pos, `${token.text}() must be the last stage of the whole query`);
        }
        const metrics = this.parseMetrics();
        if (this.isPunct('|')) {
          throw new TraceQLError(this.token.pos, `nothing may follow ${metrics.fn}(): it must be the last stage`);
        }
        return { pipeline: { stages, pos }, metrics };
      }
      stages.push(this.parseStage());
    }
    return { pipeline: { stages, pos } };
  }

  private parseStage(): PipelineStage {
    const token = this.token;
    const pos = token.pos;
    if (token.type === 'ident') {
      if (token.text === 'by' || token.text === 'select') {
        this.next();
        const fields = this.parseFieldList(token.text);
        return { kind: token.text, fields, pos };
      }
      if (token.text === 'coalesce') {
        this.next();
        this.expectPunct('(');
        this.expectPunct(')');
        return { kind: 'coalesce', pos };
      }
      if (AGGREGATES.has(token.text)) return this.parseScalarFilter();
    }
    if (token.type === 'int' || token.type === 'float' || token.type === 'duration') return this.parseScalarFilter();
    if (this.isPunct('{') || this.isPunct('(')) return { kind: 'spanset', expr: this.parseSpansetExpr(), pos };
    this.fail('a spanset filter, an aggregate, by(), select(), coalesce() or a metrics function after "|"');
  }

  private parseFieldList(name: string): FieldExpr[] {
    this.expectPunct('(', `"(" after ${name}`);
    if (this.isPunct(')')) throw new TraceQLError(this.token.pos, `${name}() needs at least one field`);
    const fields = [this.parseFieldExpr(0)];
    while (this.isPunct(',')) {
      this.next();
      fields.push(this.parseFieldExpr(0));
    }
    this.expectPunct(')', '"," or ")"');
    return fields;
  }

  private parseScalarFilter(): PipelineStage {
    const pos = this.token.pos;
    const left = this.parseScalarExpr(0);
    const op = this.token;
    if (op.type !== 'punct' || !COMPARISONS.has(op.text) || op.text === '=~' || op.text === '!~') {
      this.fail('a comparison (= != < <= > >=) after the aggregate');
    }
    this.next();
    const right = this.parseScalarExpr(0);
    return { kind: 'scalarFilter', op: op.text as ComparisonOperator, left, right, pos };
  }

  private parseScalarExpr(minPrecedence: number): ScalarExpr {
    let left = this.parseScalarPrimary();
    for (;;) {
      const op = this.token;
      if (op.type !== 'punct') break;
      const precedence = FIELD_PRECEDENCE[op.text];
      if (precedence === undefined || precedence < 4 || precedence <= minPrecedence) break;
      this.next();
      const right = this.nested(() => this.parseScalarExpr(op.text === '^' ? precedence - 1 : precedence));
      left = this.over(
        { kind: 'arithmetic', op: op.text as ArithmeticOperator, left, right, pos: op.pos },
        left,
        right,
      );
    }
    return left;
  }

  private parseScalarPrimary(): ScalarExpr {
    const token = this.token;
    if (token.type === 'ident' && AGGREGATES.has(token.text)) {
      this.next();
      this.expectPunct('(', `"(" after ${token.text}`);
      const name = token.text as AggregateName;
      if (name === 'count') {
        this.expectPunct(')', '")": count() takes no argument');
        return { kind: 'aggregate', name, pos: token.pos };
      }
      if (this.isPunct(')')) throw new TraceQLError(this.token.pos, `${name}() needs a field, e.g. ${name}(duration)`);
      const field = this.parseFieldExpr(0);
      this.expectPunct(')');
      return { kind: 'aggregate', name, field, pos: token.pos };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.nested(() => this.parseScalarExpr(0));
      this.expectPunct(')');
      return inner;
    }
    if (this.isPunct('-')) {
      this.next();
      const number = this.token;
      if (number.type !== 'int' && number.type !== 'float' && number.type !== 'duration') this.fail('a number');
      this.next();
      return { kind: 'static', value: { type: number.type, value: -number.value }, pos: token.pos };
    }
    if (token.type === 'int' || token.type === 'float' || token.type === 'duration') {
      this.next();
      return { kind: 'static', value: { type: token.type, value: token.value }, pos: token.pos };
    }
    this.fail('an aggregate (count, avg, min, max, sum) or a number');
  }

  private parseMetrics(): MetricsStage {
    const token = this.next();
    const fn = token.text as MetricsFunction;
    this.expectPunct('(', `"(" after ${fn}`);
    let field: FieldExpr | undefined;
    const quantiles: number[] = [];
    if (fn === 'rate' || fn === 'count_over_time') {
      this.expectPunct(')', `")": ${fn}() takes no argument`);
    } else {
      if (this.isPunct(')')) throw new TraceQLError(this.token.pos, `${fn}() needs a field, e.g. ${fn}(duration)`);
      field = this.parseFieldExpr(0);
      if (fn === 'quantile_over_time') {
        if (!this.isPunct(',')) this.fail('"," and at least one quantile, e.g. quantile_over_time(duration, .99)');
        while (this.isPunct(',')) {
          this.next();
          const q = this.token;
          if (q.type !== 'int' && q.type !== 'float') this.fail('a quantile between 0 and 1');
          if (q.value < 0 || q.value > 1) throw new TraceQLError(q.pos, `quantile ${q.text} is not between 0 and 1`);
          quantiles.push(q.value);
          this.next();
        }
      }
      this.expectPunct(')');
    }
    let by: FieldExpr[] = [];
    if (this.token.type === 'ident' && this.token.text === 'by') {
      this.next();
      by = this.parseFieldList('by');
    }
    return field === undefined ? { fn, quantiles, by, pos: token.pos } : { fn, field, quantiles, by, pos: token.pos };
  }

  // Spanset expressions: `||` binds loosest, then `&&`, then the structural operators.
  private parseSpansetExpr(): SpansetExpr {
    return this.parseSpansetLevel(0);
  }

  private parseSpansetLevel(level: number): SpansetExpr {
    if (level === 3) return this.parseSpansetPrimary();
    let left = this.parseSpansetLevel(level + 1);
    for (;;) {
      const op = this.token;
      if (op.type !== 'punct') break;
      const matches = level === 0 ? op.text === '||' : level === 1 ? op.text === '&&' : STRUCTURAL.has(op.text);
      if (!matches) break;
      this.next();
      const right = this.parseSpansetLevel(level + 1);
      left = this.over({ kind: 'spansetOp', op: op.text as SpansetOperator, left, right, pos: op.pos }, left, right);
    }
    return left;
  }

  private parseSpansetPrimary(): SpansetExpr {
    const token = this.token;
    if (this.isPunct('{')) {
      this.next();
      if (this.isPunct('}')) {
        this.next();
        return { kind: 'filter', expr: undefined, pos: token.pos };
      }
      const expr = this.nested(() => this.parseFieldExpr(0));
      this.expectPunct('}', '"}" or an operator');
      return this.over({ kind: 'filter', expr, pos: token.pos }, expr);
    }
    if (this.isPunct('(')) {
      this.next();
      const { pipeline } = this.nested(() => this.parsePipeline(false));
      this.expectPunct(')', '")"');
      const only = pipeline.stages[0];
      if (pipeline.stages.length === 1 && only?.kind === 'spanset') return only.expr;
      const inner = pipeline.stages.flatMap((stage) => (stage.kind === 'spanset' ? [stage.expr] : []));
      return this.over({ kind: 'subPipeline', pipeline, pos: token.pos }, ...inner);
    }
    this.fail('"{" or "("');
  }

  private parseFieldExpr(minPrecedence: number): FieldExpr {
    let left = this.parseFieldUnary();
    for (;;) {
      const op = this.token;
      if (op.type !== 'punct') break;
      const precedence = FIELD_PRECEDENCE[op.text];
      if (precedence === undefined || precedence <= minPrecedence) break;
      this.next();
      // `^` is right-associative; comparisons do not chain (checked below).
      const right = this.nested(() => this.parseFieldExpr(op.text === '^' ? precedence - 1 : precedence));
      if (precedence === 3 && this.token.type === 'punct' && FIELD_PRECEDENCE[this.token.text] === 3) {
        throw new TraceQLError(this.token.pos, `comparisons do not chain; combine them with && or ||`);
      }
      left = this.over({ kind: 'binary', op: op.text as BinaryOperator, left, right, pos: op.pos }, left, right);
    }
    return left;
  }

  private parseFieldUnary(): FieldExpr {
    const token = this.token;
    if (this.isPunct('!') || this.isPunct('-')) {
      this.next();
      const operand = this.nested(() => this.parseFieldUnary());
      // A negative literal is a literal, so `duration > -1` compares with a number.
      if (token.text === '-' && operand.kind === 'static') {
        const value = operand.value;
        if (value.type === 'int' || value.type === 'float' || value.type === 'duration') {
          return { kind: 'static', value: { type: value.type, value: -value.value }, pos: token.pos };
        }
      }
      return this.over({ kind: 'unary', op: token.text as '!' | '-', operand, pos: token.pos }, operand);
    }
    return this.parseFieldPrimary();
  }

  private parseFieldPrimary(): FieldExpr {
    const token = this.token;
    const pos = token.pos;
    switch (token.type) {
      case 'string':
        this.next();
        return { kind: 'static', value: { type: 'string', value: token.value }, pos };
      case 'int':
        this.next();
        return { kind: 'static', value: intStatic(token.value, token.text), pos };
      case 'float':
      case 'duration':
        this.next();
        return { kind: 'static', value: { type: token.type, value: token.value }, pos };
      case 'attribute':
        this.next();
        return { kind: 'attribute', scope: token.scope, name: token.name, pos };
      case 'intrinsic':
        this.next();
        return { kind: 'intrinsic', name: token.name, pos };
      case 'ident':
        return this.parseIdentifier(token, pos);
      case 'punct':
        if (token.text === '(') {
          this.next();
          const inner = this.nested(() => this.parseFieldExpr(0));
          this.expectPunct(')', '")" or an operator');
          return inner;
        }
        break;
    }
    this.fail('an attribute, an intrinsic or a value');
  }

  private parseIdentifier(token: Token, pos: Position): FieldExpr {
    const word = token.text;
    this.next();
    if (word === 'true' || word === 'false')
      return { kind: 'static', value: { type: 'bool', value: word === 'true' }, pos };
    if (word === 'nil') return { kind: 'static', value: { type: 'nil' }, pos };
    if (STATUSES.has(word)) return { kind: 'static', value: { type: 'status', value: word as StatusValue }, pos };
    if (KINDS.has(word)) return { kind: 'static', value: { type: 'kind', value: word as KindValue }, pos };
    if ((AGGREGATES.has(word) || METRICS.has(word)) && this.isPunct('(')) {
      // Skip the argument list so validation can report the misplacement instead of a syntax error.
      let depth = 0;
      do {
        if (this.isPunct('(')) depth++;
        else if (this.isPunct(')')) depth--;
        if (this.atEnd()) this.fail('")"');
        this.next();
      } while (depth > 0);
      return { kind: 'misplacedAggregate', name: word, pos };
    }
    // Unscoped intrinsics (`name`, `duration`, `rootName`, …); validation rejects unknown ones.
    return { kind: 'intrinsic', name: word, pos };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'end of query';
    case 'string':
      return `string ${token.text}`;
    case 'int':
    case 'float':
      return `number ${token.text}`;
    case 'duration':
      return `duration ${token.text}`;
    case 'ident':
      return `"${token.text}"`;
    case 'attribute':
      return `attribute ${token.text}`;
    case 'intrinsic':
      return `intrinsic ${token.text}`;
    case 'punct':
      return `"${token.text}"`;
  }
}

/** An int literal; one beyond ±2^53 keeps its exact value too, so that int64 attributes compare exactly. */
function intStatic(value: number, text: string): Static {
  return Number.isSafeInteger(value) ? { type: 'int', value } : { type: 'int', value, big: BigInt(text) };
}
