import { MetricsRegistry } from './metrics-registry.js';

/** Why spans or requests were turned away; a label value on the counters. */
export type RejectReason =
  | 'invalid'
  | 'too_large'
  | 'unsupported_media_type'
  | 'overloaded'
  | 'storage_failure'
  /** The request did not say whose it is, or named no valid tenant (multitenancy). */
  | 'unauthenticated'
  /** Its tenant is over its own ingest rate (`--limits`); `ariadne_tenant_*` says which. */
  | 'rate_limited';

/**
 * The ingest path's counters, shared by every receiver and the pipeline, and
 * served on `GET /metrics`. "Received" counts spans that decoded; a request
 * that does not decode at all is counted under requests rejected.
 */
export class IngestMetrics {
  readonly registry = new MetricsRegistry();
  readonly spansReceived = this.registry.counter(
    'ariadne_receiver_spans_received_total',
    'Spans decoded by a receiver, before any rejection.',
  );
  readonly spansAccepted = this.registry.counter(
    'ariadne_receiver_spans_accepted_total',
    'Spans acknowledged to the client after the store made them durable.',
  );
  readonly spansRejected = this.registry.counter(
    'ariadne_receiver_spans_rejected_total',
    'Spans refused with an answer to the client, by reason.',
  );
  readonly spansDropped = this.registry.counter(
    'ariadne_receiver_spans_dropped_total',
    'Spans lost without the client being told (UDP), by reason.',
  );
  readonly requestsRejected = this.registry.counter(
    'ariadne_receiver_requests_rejected_total',
    'Requests refused before their spans could be counted, by reason.',
  );
  readonly inFlightSpans = this.registry.gauge(
    'ariadne_pipeline_in_flight_spans',
    'Spans accepted by the pipeline and not yet acknowledged by the store.',
  );
  readonly storeWriteSeconds = this.registry.histogram(
    'ariadne_store_write_duration_seconds',
    'Time the store took to make one batch durable.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
}
