import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';

const counters = new WeakMap<IngestMetrics, Counter>();

/**
 * Requests answered "retry later" because the store had not acknowledged
 * their batch in time (the write went on): registered once per metrics set.
 * A rising count means the store cannot keep up with what is admitted.
 */
export function lateAnswersCounter(metrics: IngestMetrics): Counter {
  let counter = counters.get(metrics);
  if (counter === undefined) {
    counter = metrics.registry.counter(
      'ariadne_pipeline_late_answers_total',
      'Requests answered "retry later" because the store had not acknowledged them in time; their writes went on.',
    );
    counters.set(metrics, counter);
  }
  return counter;
}
