/**
 * TraceQL's syntax tree, after Tempo's `pkg/traceql/ast.go`. Every node keeps
 * the position of its first character so that validation errors can point at it.
 */

export interface Position {
  /** 0-based character offset into the query text. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, counted in UTF-16 code units. */
  readonly column: number;
}

export type StatusValue = 'error' | 'ok' | 'unset';
export type KindValue = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** A literal in the query text. Durations are nanoseconds. */
export type Static =
  | { readonly type: 'string'; readonly value: string }
  /** `big` holds the exact value of an int beyond ±2^53, where `value` is only its nearest double. */
  | { readonly type: 'int'; readonly value: number; readonly big?: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'duration'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'status'; readonly value: StatusValue }
  | { readonly type: 'kind'; readonly value: KindValue }
  | { readonly type: 'nil' };

export type AttributeScope = 'span' | 'resource' | 'event' | 'link' | 'instrumentation' | 'none';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '^';
export type BinaryOperator = ComparisonOperator | ArithmeticOperator | '&&' | '||';

/** What may appear inside `{ … }`. */
export type FieldExpr =
  | { readonly kind: 'static'; readonly value: Static; readonly pos: Position }
  | { readonly kind: 'attribute'; readonly scope: AttributeScope; readonly name: string; readonly pos: Position }
  /** `name` is canonical (`span:name`, `trace:duration`, …) once validated; the parser keeps what was written. */
  | { readonly kind: 'intrinsic'; readonly name: string; readonly pos: Position }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOperator;
      readonly left: FieldExpr;
      readonly right: FieldExpr;
      readonly pos: Position;
    }
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: FieldExpr; readonly pos: Position }
  /** An aggregate written where only field expressions belong; kept so validation can say where it goes. */
  | { readonly kind: 'misplacedAggregate'; readonly name: string; readonly pos: Position };

export type AggregateName = 'count' | 'avg' | 'min' | 'max' | 'sum';

export type ScalarExpr =
  | { readonly kind: 'aggregate'; readonly name: AggregateName; readonly field?: FieldExpr; readonly pos: Position }
  | { readonly kind: 'static'; readonly value: Static; readonly pos: Position }
  | {
      readonly kind: 'arithmetic';
      readonly op: ArithmeticOperator;
      readonly left: ScalarExpr;
      readonly right: ScalarExpr;
      readonly pos: Position;
    };

export type SpansetOperator =
  | '&&'
  | '||'
  | '>'
  | '>>'
  | '<'
  | '<<'
  | '~'
  | '!>'
  | '!>>'
  | '!<'
  | '!<<'
  | '!~'
  | '&>'
  | '&>>'
  | '&<'
  | '&<<'
  | '&~';

export type SpansetExpr =
  | { readonly kind: 'filter'; readonly expr: FieldExpr | undefined; readonly pos: Position }
  | {
      readonly kind: 'spansetOp';
      readonly op: SpansetOperator;
      readonly left: SpansetExpr;
      readonly right: SpansetExpr;
      readonly pos: Position;
    }
  /** A parenthesised pipeline combined with others: `({a} | count() > 1) && {b}`. */
  | { readonly kind: 'subPipeline'; readonly pipeline: Pipeline; readonly pos: Position };

export type PipelineStage =
  | { readonly kind: 'spanset'; readonly expr: SpansetExpr; readonly pos: Position }
  | {
      readonly kind: 'scalarFilter';
      readonly op: ComparisonOperator;
      readonly left: ScalarExpr;
      readonly right: ScalarExpr;
      readonly pos: Position;
    }
  | { readonly kind: 'by'; readonly fields: readonly FieldExpr[]; readonly pos: Position }
  | { readonly kind: 'select'; readonly fields: readonly FieldExpr[]; readonly pos: Position }
  | { readonly kind: 'coalesce'; readonly pos: Position };

export interface Pipeline {
  readonly stages: readonly PipelineStage[];
  readonly pos: Position;
}

export type MetricsFunction =
  | 'rate'
  | 'count_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'avg_over_time'
  | 'sum_over_time'
  | 'quantile_over_time'
  | 'histogram_over_time';

export interface MetricsStage {
  readonly fn: MetricsFunction;
  /** The measured field: absent for `rate` and `count_over_time`. */
  readonly field?: FieldExpr;
  /** `quantile_over_time` only, each in [0, 1]. */
  readonly quantiles: readonly number[];
  readonly by: readonly FieldExpr[];
  readonly pos: Position;
}

/** A whole query: a spanset pipeline, optionally ending in a metrics function. */
export interface Query {
  readonly pipeline: Pipeline;
  readonly metrics?: MetricsStage;
}
