import type { IngestMetrics } from './ingest-metrics.js';
import type { Counter } from './metrics-registry.js';

const registered = new WeakMap<IngestMetrics, Map<string, Counter>>();

/**
 * A counter that one stage adds to the ingest metrics, registered the first
 * time it is asked for with those metrics (several pipelines and receivers
 * may share one set, in tests), the same counter every time after.
 */
export function counterOnce(metrics: IngestMetrics, name: string, help: string): Counter {
  let counters = registered.get(metrics);
  if (counters === undefined) {
    counters = new Map();
    registered.set(metrics, counters);
  }
  let counter = counters.get(name);
  if (counter === undefined) {
    counter = metrics.registry.counter(name, help);
    counters.set(name, counter);
  }
  return counter;
}
