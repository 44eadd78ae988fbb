import { AriadneError, isAriadneError, type Span } from '@ariadne/protocol';
import type { SpanWriter } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';
import { attributesLimitedCounter } from './limit-metrics.js';
import { limitSpans, type SpanLimits } from './span-limits.js';
import { validateSpanTimes } from './validate-span-times.js';

/**
 * The one door between receivers and the store. It bounds how many spans are
 * in flight towards the store: past the bound, a batch is refused at once with
 * `Overloaded` (receivers answer 429/503 with Retry-After) instead of queueing
 * without limit, so memory stays bounded and clients back off.
 */
export interface IngestPipeline {
  /**
   * Resolves once the store acknowledged the batch (durably). `receiver`
   * labels the metrics ("otlp-http", "zipkin", ...). Rejects with
   * `PayloadTooLarge` past `limits.maxSpansPerRequest`, `Overloaded` when full,
   * `InvalidPayload` for a time the stores cannot keep (see `validateSpanTimes`).
   * The span limits are applied here, so every receiver gets them.
   */
  submit(spans: readonly Span[], receiver: string, options?: SubmitOptions): Promise<void>;
  /** Spans accepted but not yet acknowledged by the store. */
  readonly inFlightSpans: number;
  /**
   * True when no batch would be taken now (full, or closing). Receivers ask
   * before reading a body, so that under overload a refused request costs a
   * header parse, not a read, decompression and decode of spans thrown away.
   */
  readonly isFull: boolean;
  /** Refuses new batches and waits for those in flight. */
  close(): Promise<void>;
}

export interface SubmitOptions {
  /**
   * The client gets no answer (UDP): refused spans are counted as dropped
   * rather than rejected.
   */
  readonly unanswered?: boolean;
}

export interface IngestPipelineOptions {
  /**
   * Most spans in flight at once. A single batch larger than this is still
   * taken when nothing else is in flight, so no batch is refused forever.
   */
  readonly maxInFlightSpans: number;
  readonly metrics?: IngestMetrics;
  readonly limits?: SpanLimits;
  /**
   * Called with each batch after the store acknowledged it (live tail). It
   * must not block; whatever it throws is swallowed so ingest never fails for it.
   */
  readonly onAccepted?: (spans: readonly Span[]) => void;
}

export function createIngestPipeline(writer: SpanWriter, options: IngestPipelineOptions): IngestPipeline {
  const metrics = options.metrics ?? new IngestMetrics();
  let inFlight = 0;
  let closing = false;
  const pending = new Set<Promise<void>>();
  metrics.inFlightSpans.track(() => inFlight);
  const limits = options.limits ?? {};
  const maxSpansPerRequest = limits.maxSpansPerRequest ?? Number.POSITIVE_INFINITY;
  const limited = attributesLimitedCounter(metrics);

  const notifyAccepted = (spans: readonly Span[]) => {
    if (!options.onAccepted) return;
    try {
      options.onAccepted(spans);
    } catch {
      // A live-tail consumer's failure is its own; the client's batch is stored.
    }
  };

  const write = async (spans: readonly Span[], receiver: string, refused: Counter) => {
    const started = performance.now();
    try {
      await writer.writeSpans(spans);
      metrics.spansAccepted.inc({ receiver }, spans.length);
      notifyAccepted(spans);
    } catch (error) {
      const reason = isAriadneError(error, 'Overloaded') ? 'overloaded' : 'storage_failure';
      refused.inc({ receiver, reason }, spans.length);
      throw isAriadneError(error) ? error : new AriadneError('StorageFailure', 'the store failed', { cause: error });
    } finally {
      metrics.storeWriteSeconds.observe((performance.now() - started) / 1000);
    }
  };

  return {
    get inFlightSpans() {
      return inFlight;
    },
    get isFull() {
      return closing || inFlight >= options.maxInFlightSpans;
    },
    async submit(submitted, receiver, submitOptions) {
      if (submitted.length === 0) return;
      const refused = submitOptions?.unanswered ? metrics.spansDropped : metrics.spansRejected;
      if (submitted.length > maxSpansPerRequest) {
        refused.inc({ receiver, reason: 'too_large' }, submitted.length);
        throw new AriadneError(
          'PayloadTooLarge',
          `request carries ${submitted.length} spans; the limit is ${maxSpansPerRequest} per request`,
        );
      }
      if (closing || (inFlight > 0 && inFlight + submitted.length > options.maxInFlightSpans)) {
        refused.inc({ receiver, reason: 'overloaded' }, submitted.length);
        throw new AriadneError(
          'Overloaded',
          closing ? 'the server is shutting down' : `ingest queue is full (${inFlight} spans in flight); retry later`,
        );
      }
      try {
        validateSpanTimes(submitted);
      } catch (error) {
        refused.inc({ receiver, reason: 'invalid' }, submitted.length);
        throw error;
      }
      const outcome = limitSpans(submitted, limits);
      const spans = outcome.spans;
      if (outcome.droppedAttributes > 0) {
        limited.inc({ receiver, reason: 'attribute_limit' }, outcome.droppedAttributes);
      }
      if (outcome.truncatedValues > 0) limited.inc({ receiver, reason: 'truncated' }, outcome.truncatedValues);
      inFlight += spans.length;
      const written = write(spans, receiver, refused).finally(() => {
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
