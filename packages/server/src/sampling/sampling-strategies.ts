import { AriadneError } from '@ariadne/protocol';

/*
 * Jaeger's sampling strategies: the file format its static provider reads
 * (`--sampling.strategies-file`) and the answer remote samplers fetch
 * (api_v2 `SamplingStrategyResponse`).
 */

export type StrategyType = 'probabilistic' | 'ratelimiting';

export interface OperationStrategy {
  readonly operation: string;
  /** Per-operation strategies are probabilistic only, as in Jaeger. */
  readonly probability: number;
}

export interface Strategy {
  readonly type: StrategyType;
  /** Probability in [0, 1], or traces per second for `ratelimiting`. */
  readonly param: number;
  readonly operations: readonly OperationStrategy[];
}

export interface StrategiesConfig {
  readonly services: ReadonlyMap<string, Strategy>;
  readonly defaultStrategy: Strategy;
}

/** Jaeger's default when the file names no default strategy. */
export const DEFAULT_SAMPLING_PROBABILITY = 0.001;

export const DEFAULT_STRATEGIES: StrategiesConfig = {
  services: new Map(),
  defaultStrategy: { type: 'probabilistic', param: DEFAULT_SAMPLING_PROBABILITY, operations: [] },
};

/**
 * Parses a strategies file:
 * `{"service_strategies": [{"service", "type", "param", "operation_strategies": [{"operation", "type", "param"}]}],
 *   "default_strategy": {"type", "param", "operation_strategies"}}`.
 * Throws `AriadneError('InvalidPayload')` naming the bad field.
 */
export function parseStrategiesFile(text: string): StrategiesConfig {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new AriadneError('InvalidPayload', `sampling strategies: ${(error as Error).message}`);
  }
  if (!isObject(root)) throw new AriadneError('InvalidPayload', 'sampling strategies: expected a JSON object');
  const services = new Map<string, Strategy>();
  const list = root.service_strategies ?? [];
  if (!Array.isArray(list)) throw invalid('service_strategies', 'an array');
  list.forEach((entry, i) => {
    const where = `service_strategies[${i}]`;
    if (!isObject(entry) || typeof entry.service !== 'string' || entry.service === '') {
      throw invalid(`${where}.service`, 'a service name');
    }
    services.set(entry.service, readStrategy(entry, where));
  });
  const defaultStrategy =
    root.default_strategy === undefined || root.default_strategy === null
      ? DEFAULT_STRATEGIES.defaultStrategy
      : readStrategy(root.default_strategy, 'default_strategy');
  return { services, defaultStrategy };
}

function readStrategy(value: unknown, where: string): Strategy {
  if (!isObject(value)) throw invalid(where, 'an object');
  const type = value.type ?? 'probabilistic';
  if (type !== 'probabilistic' && type !== 'ratelimiting')
    throw invalid(`${where}.type`, "'probabilistic' or 'ratelimiting'");
  const param = readParam(value.param, type, `${where}.param`);
  const operationsValue = value.operation_strategies ?? [];
  if (!Array.isArray(operationsValue)) throw invalid(`${where}.operation_strategies`, 'an array');
  const operations = operationsValue.map((op: unknown, i): OperationStrategy => {
    const at = `${where}.operation_strategies[${i}]`;
    if (!isObject(op) || typeof op.operation !== 'string') throw invalid(`${at}.operation`, 'an operation name');
    if ((op.type ?? 'probabilistic') !== 'probabilistic') throw invalid(`${at}.type`, "'probabilistic'");
    return { operation: op.operation, probability: readParam(op.param, 'probabilistic', `${at}.param`) };
  });
  return { type, param, operations };
}

function readParam(value: unknown, type: StrategyType, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (type === 'probabilistic' && value > 1)) {
    throw invalid(where, type === 'probabilistic' ? 'a probability in [0, 1]' : 'a non-negative rate');
  }
  return value;
}

function invalid(where: string, expected: string): AriadneError {
  return new AriadneError('InvalidPayload', `sampling strategies: ${where}: expected ${expected}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** api_v2 `SamplingStrategyResponse`, camelCase with enum names, as Jaeger's `/sampling` writes it. */
export interface SamplingStrategyResponse {
  strategyType: 'PROBABILISTIC' | 'RATE_LIMITING';
  probabilisticSampling?: { samplingRate: number };
  rateLimitingSampling?: { maxTracesPerSecond: number };
  operationSampling?: {
    defaultSamplingProbability: number;
    defaultLowerBoundTracesPerSecond: number;
    perOperationStrategies: { operation: string; probabilisticSampling: { samplingRate: number } }[];
    defaultUpperBoundTracesPerSecond?: number;
  };
}

/**
 * The strategy for a service, as Jaeger's static provider resolves it: the
 * service's own entry or the default; per-operation strategies are the
 * default's, overridden by the service's. When there are any, the answer
 * carries `operationSampling` whose default probability is the service's
 * probability (or Jaeger's 0.001 for a rate-limited service).
 */
export function resolveStrategy(config: StrategiesConfig, service: string): SamplingStrategyResponse {
  const own = config.services.get(service);
  const base = own ?? config.defaultStrategy;
  const response: SamplingStrategyResponse =
    base.type === 'probabilistic'
      ? { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: base.param } }
      : { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: Math.floor(base.param) } };
  const operations = new Map<string, number>();
  for (const op of config.defaultStrategy.operations) operations.set(op.operation, op.probability);
  if (own !== undefined) for (const op of own.operations) operations.set(op.operation, op.probability);
  if (operations.size > 0) {
    response.operationSampling = {
      defaultSamplingProbability: base.type === 'probabilistic' ? base.param : DEFAULT_SAMPLING_PROBABILITY,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [...operations].map(([operation, samplingRate]) => ({
        operation,
        probabilisticSampling: { samplingRate },
      })),
    };
  }
  return response;
}

/**
 * The form Jaeger's legacy route `/` serves, for clients generated with
 * Thrift 0.9.2, whose JSON reads enums as numbers: the strategy type as
 * `sampling.thrift` numbers it (0 probabilistic, 1 rate limiting), field
 * names and everything else as in the api_v2 answer.
 */
export function toLegacySamplingJson(response: SamplingStrategyResponse): Record<string, unknown> {
  return { ...response, strategyType: response.strategyType === 'PROBABILISTIC' ? 0 : 1 };
}
