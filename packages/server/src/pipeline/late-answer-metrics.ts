import { counterOnce } from '../telemetry/counter-once.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';

/**
 * Requests answered "retry later" because the store had not acknowledged
 * their batch in time (the write went on). A rising count means the store
 * cannot keep up with what is admitted.
 */
export function lateAnswersCounter(metrics: IngestMetrics): Counter {
  return counterOnce(
    metrics,
    'ariadne_pipeline_late_answers_total',
    'Requests answered "retry later" because the store had not acknowledged them in time; their writes went on.',
  );
}
