import { counterOnce } from '../telemetry/counter-once.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';

/** Why attributes were changed by the limits stage; a label value. */
export type AttributeLimitReason = 'attribute_limit' | 'truncated';

/**
 * The limits stage's counter. Attributes are counted apart from spans: the
 * span itself is kept.
 */
export function attributesLimitedCounter(metrics: IngestMetrics): Counter {
  return counterOnce(
    metrics,
    'ariadne_pipeline_attributes_limited_total',
    'Attributes dropped (reason attribute_limit) or values truncated (reason truncated) by the span limits.',
  );
}
