import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';

/** Why attributes were changed by the limits stage; a label value. */
export type AttributeLimitReason = 'attribute_limit' | 'truncated';

const counters = new WeakMap<IngestMetrics, Counter>();

/**
 * The limits stage's counter, registered once per metrics set (several
 * pipelines may share one in tests). Attributes are counted apart from spans:
 * the span itself is kept.
 */
export function attributesLimitedCounter(metrics: IngestMetrics): Counter {
  let counter = counters.get(metrics);
  if (counter === undefined) {
    counter = metrics.registry.counter(
      'ariadne_pipeline_attributes_limited_total',
      'Attributes dropped (reason attribute_limit) or values truncated (reason truncated) by the span limits.',
    );
    counters.set(metrics, counter);
  }
  return counter;
}
