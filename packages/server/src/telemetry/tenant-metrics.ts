import { counterOnce } from './counter-once.js';
import type { IngestMetrics } from './ingest-metrics.js';
import type { Counter } from './metrics-registry.js';

/** Which of a tenant's limits refused something; a label value. */
export type TenantLimitReason =
  | 'spans_rate'
  | 'bytes_rate'
  /** One request larger than the tenant's burst: it could never pass. */
  | 'burst_exceeded'
  | 'concurrent_searches'
  | 'search_window';

/**
 * Counters labelled by tenant, on `/metrics` beside the ingest counters
 * (which are labelled by receiver). The `tenant` label is bounded by
 * `--max-tenants` for what is stored, and by the tenants that send for what
 * is refused.
 */
export interface TenantMetrics {
  /** Spans the store acknowledged, `{tenant}`. */
  readonly spansAccepted: Counter;
  /** Request bytes whose spans the store acknowledged, `{tenant}`. */
  readonly bytesAccepted: Counter;
  /** Spans refused by one of the tenant's limits, `{tenant, reason}` (spans of a body refused before decoding are not known, its bytes are). */
  readonly spansRefused: Counter;
  /** Request bytes refused by one of the tenant's limits, `{tenant, reason}`. */
  readonly bytesRefused: Counter;
  /** Searches refused by the tenant's limits, `{tenant, reason}`. */
  readonly searchesRefused: Counter;
}

export function tenantMetrics(metrics: IngestMetrics): TenantMetrics {
  return {
    spansAccepted: counterOnce(
      metrics,
      'ariadne_tenant_spans_accepted_total',
      'Spans acknowledged to the client after the store made them durable, by tenant.',
    ),
    bytesAccepted: counterOnce(
      metrics,
      'ariadne_tenant_bytes_accepted_total',
      'Request bytes whose spans were acknowledged, by tenant.',
    ),
    spansRefused: counterOnce(
      metrics,
      'ariadne_tenant_spans_refused_total',
      "Spans refused by the tenant's own limits (--limits), by tenant and reason.",
    ),
    bytesRefused: counterOnce(
      metrics,
      'ariadne_tenant_bytes_refused_total',
      "Request bytes refused by the tenant's own limits (--limits), by tenant and reason.",
    ),
    searchesRefused: counterOnce(
      metrics,
      'ariadne_tenant_searches_refused_total',
      "Searches refused by the tenant's own limits (--limits), by tenant and reason.",
    ),
  };
}
