/**
 * A Jaeger sampling strategy as `GET /sampling?service=` answers it (the
 * agent's and collector's JSON of `sampling.thrift`'s SamplingStrategyResponse,
 * or the proto-JSON of api_v2 where `strategyType` is a name, not a number).
 */
export type JaegerSamplingStrategy =
  | { readonly type: 'probabilistic'; readonly samplingRate: number }
  | { readonly type: 'ratelimiting'; readonly maxTracesPerSecond: number }
  | {
      readonly type: 'peroperation';
      readonly defaultSamplingProbability: number;
      readonly defaultLowerBoundTracesPerSecond: number;
      readonly perOperation: readonly { readonly operation: string; readonly samplingRate: number }[];
    };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numberIn(value: unknown, field: string, fallback: number | undefined = undefined): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  if (fallback !== undefined && value === undefined) return fallback;
  throw new Error(`jaeger sampling strategy: ${field} is not a non-negative number`);
}

const probability = (value: unknown, field: string, fallback?: number) => Math.min(1, numberIn(value, field, fallback));

/**
 * Reads a strategy response. `operationSampling` wins over the top-level
 * strategy when present, as in Jaeger's clients; throws on a response that
 * names no usable strategy (the caller keeps its current sampler).
 */
export function parseJaegerSamplingStrategy(body: unknown): JaegerSamplingStrategy {
  if (!isObject(body)) throw new Error('jaeger sampling strategy: expected a JSON object');
  const operations = body.operationSampling;
  if (isObject(operations)) {
    const list = Array.isArray(operations.perOperationStrategies) ? operations.perOperationStrategies : [];
    return {
      type: 'peroperation',
      defaultSamplingProbability: probability(operations.defaultSamplingProbability, 'defaultSamplingProbability', 0),
      defaultLowerBoundTracesPerSecond: numberIn(
        operations.defaultLowerBoundTracesPerSecond,
        'defaultLowerBoundTracesPerSecond',
        0,
      ),
      perOperation: list.filter(isObject).map((entry, i) => ({
        operation: String(entry.operation ?? ''),
        samplingRate: probability(
          isObject(entry.probabilisticSampling) ? entry.probabilisticSampling.samplingRate : undefined,
          `perOperationStrategies[${i}].probabilisticSampling.samplingRate`,
          0,
        ),
      })),
    };
  }
  const type = body.strategyType;
  const probabilistic =
    type === 0 || type === 'PROBABILISTIC' || (type === undefined && isObject(body.probabilisticSampling));
  if (probabilistic && isObject(body.probabilisticSampling)) {
    return {
      type: 'probabilistic',
      samplingRate: probability(body.probabilisticSampling.samplingRate, 'samplingRate', 0),
    };
  }
  const rateLimiting =
    type === 1 || type === 'RATE_LIMITING' || (type === undefined && isObject(body.rateLimitingSampling));
  if (rateLimiting && isObject(body.rateLimitingSampling)) {
    return {
      type: 'ratelimiting',
      maxTracesPerSecond: numberIn(body.rateLimitingSampling.maxTracesPerSecond, 'maxTracesPerSecond', 0),
    };
  }
  throw new Error(`jaeger sampling strategy: no usable strategy in ${JSON.stringify(body).slice(0, 200)}`);
}
