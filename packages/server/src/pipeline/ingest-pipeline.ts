import { AriadneError, isAriadneError, type Span } from '@ariadne/protocol';
import type { SpanWriter } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';

/**
 * The one door between receivers and the store. It bounds how many spans are
 * in flight towards the store: past the bound, a batch is refused at once with
 * `Overloaded` (receivers answer 429/503 with Retry-After) instead of queueing
 * without limit, so memory stays bounded and clients back off.
 */
export interface IngestPipeline {
  /**
   * Resolves once the store acknowledged the batch (durably). `receiver`
   * labels the metrics ("otlp-http", "zipkin", ...).
   */
  submit(spans: readonly Span[], receiver: string): Promise<void>;
  /** Spans accepted but not yet acknowledged by the store. */
  readonly inFlightSpans: number;
  /** Refuses new batches and waits for those in flight. */
  close(): Promise<void>;
}

export interface IngestPipelineOptions {
  /**
   * Most spans in flight at once. A single batch larger than this is still
   * taken when nothing else is in flight, so no batch is refused forever.
   */
  readonly maxInFlightSpans: number;
  readonly metrics?: IngestMetrics;
}

export function createIngestPipeline(writer: SpanWriter, options: IngestPipelineOptions): IngestPipeline {
  const metrics = options.metrics ?? new IngestMetrics();
  let inFlight = 0;
  let closing = false;
  const pending = new Set<Promise<void>>();
  metrics.inFlightSpans.track(() => inFlight);

  const write = async (spans: readonly Span[], receiver: string) => {
    const started = performance.now();
    try {
      await writer.writeSpans(spans);
      metrics.spansAccepted.inc({ receiver }, spans.length);
    } catch (error) {
      const reason = isAriadneError(error, 'Overloaded') ? 'overloaded' : 'storage_failure';
      metrics.spansRejected.inc({ receiver, reason }, spans.length);
      throw isAriadneError(error) ? error : new AriadneError('StorageFailure', 'the store failed', { cause: error });
    } finally {
      metrics.storeWriteSeconds.observe((performance.now() - started) / 1000);
    }
  };

  return {
    get inFlightSpans() {
      return inFlight;
    },
    async submit(spans, receiver) {
      if (spans.length === 0) return;
      if (closing || (inFlight > 0 && inFlight + spans.length > options.maxInFlightSpans)) {
        metrics.spansRejected.inc({ receiver, reason: 'overloaded' }, spans.length);
        throw new AriadneError(
          'Overloaded',
          closing ? 'the server is shutting down' : `ingest queue is full (${inFlight} spans in flight); retry later`,
        );
      }
      inFlight += spans.length;
      const written = write(spans, receiver).finally(() => {
        inFlight -= spans.length;
        pending.delete(written);
      });
      pending.add(written);
      return written;
    },
    async close() {
      closing = true;
      await Promise.allSettled([...pending]);
    },
  };
}
