import { AriadneError, isAriadneError, type Span } from '@ariadne/protocol';
import type { TenantLimiter } from '../limits/tenant-limiter.js';
import { isSpanBatchWriter, type SpanWriter } from '../storage/span-store.js';
import { IngestMetrics, type RejectReason } from '../telemetry/ingest-metrics.js';
import type { Counter } from '../telemetry/metrics-registry.js';
import { tenantMetrics } from '../telemetry/tenant-metrics.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import type { DecodedBatch, RefusedBatch } from './decode-batch.js';
import { type DecodePool, sharedDecodePool } from './decode-pool.js';
import { lateAnswersCounter } from './late-answer-metrics.js';
import { attributesLimitedCounter } from './limit-metrics.js';
import { decodeSpanBatch, encodeSpanBatch } from './span-batch.js';
import type { SpanDecoderName } from './span-decoders.js';
import { limitSpans, type SpanLimits } from './span-limits.js';
import { validateSpanTimes } from './validate-span-times.js';

/**
 * The one door between receivers and the store. Request bodies are decoded
 * in worker threads (`DecodePool`) into span batches that reach the store as
 * bytes, so the thread that owns the sockets never decodes. It bounds how
 * many spans are in flight towards the store: past the bound, a batch is
 * refused at once with `Overloaded` (receivers answer 429/503 with
 * Retry-After) instead of queueing without limit, so memory stays bounded,
 * no request hangs, and clients back off.
 */
export interface IngestPipeline {
  /**
   * Decodes a request body with the named decoder, applies the limits and
   * writes the spans. Resolves once the store acknowledged them (durably),
   * with what the client is told. Rejects with `InvalidPayload` for a body
   * that does not decode or times the stores cannot keep, `PayloadTooLarge`
   * past `limits.maxSpansPerRequest`, `Overloaded` when full, and
   * `StorageFailure` when the store failed. Counts everything on the metrics
   * (`receiver` labels them), including requests that did not decode. The
   * body's bytes are handed over: do not use them afterwards. The spans go
   * to `tenant`'s store and nowhere else (the receiver got the tenant from
   * `resolveTenant`); the bound on spans in flight is shared by all tenants.
   */
  ingest(
    body: Uint8Array,
    decoder: SpanDecoderName,
    receiver: string,
    tenant: TenantId,
    options?: SubmitOptions,
  ): Promise<IngestOutcome>;
  /**
   * Writes spans already decoded (in-process callers). Same checks and
   * answers as `ingest`, except decoding.
   */
  submit(spans: readonly Span[], receiver: string, tenant: TenantId, options?: SubmitOptions): Promise<void>;
  /** Spans accepted but not yet acknowledged by the store. */
  readonly inFlightSpans: number;
  /**
   * True when no batch would be taken now (full, or closing). Receivers ask
   * before reading a body, so that under overload a refused request costs a
   * header parse, not a read, decompression and decode of spans thrown away.
   */
  readonly isFull: boolean;
  /** Refuses new batches and waits for those in flight. */
  /** Resolves once decoding runs at full speed (the decode workers have loaded): servers listen after it. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** What a client is told about a request whose spans were stored. */
export interface IngestOutcome {
  readonly spanCount: number;
  /** Spans the decoder refused (OTLP partial success) and why. */
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

export interface SubmitOptions {
  /**
   * The client gets no answer (UDP): refused spans are counted as dropped
   * rather than rejected, and a body refused before its spans could be
   * counted is not a rejected request but goes to `onRefusedUnread`.
   */
  readonly unanswered?: boolean;
  /** With `unanswered`: told why a body was refused before its spans were counted (the receiver counts its datagram). */
  readonly onRefusedUnread?: (reason: 'invalid' | 'overloaded' | 'rate_limited') => void;
}

/** A batch the store acknowledged, for live tail and adaptive sampling. */
export interface AcceptedBatch {
  /** Whose spans these are: listeners hand them on to that tenant's subscribers alone. */
  readonly tenant: TenantId;
  readonly spanCount: number;
  /** The spans, decoded on first call (only listeners that need them pay for it). */
  spans(): readonly Span[];
}

export interface IngestPipelineOptions {
  /**
   * Most spans in flight at once. A single batch larger than this is still
   * taken when nothing else is in flight, so no batch is refused forever.
   */
  readonly maxInFlightSpans: number;
  /**
   * Most request bytes being decoded at once; past it, requests are refused
   * as `Overloaded` before decoding. Default 64 MiB.
   */
  readonly maxDecodingBytes?: number;
  /**
   * Longest a client waits for the store's acknowledgment, counted from
   * when its request reached the pipeline (decoding included). Past it the
   * request is answered `Overloaded` (503/429 with Retry-After, gRPC
   * UNAVAILABLE) while the write goes on: its spans still count as in
   * flight, so new requests are refused at once until the store catches up.
   * A client that retries may send spans the store did keep; the store
   * keeps such copies once. Default 1 s; 0 waits as long as the store takes.
   */
  readonly answerWithinMs?: number;
  readonly metrics?: IngestMetrics;
  readonly limits?: SpanLimits;
  /**
   * Each tenant's own ingest rates (`--limits`): a body's bytes are taken
   * from its tenant's bucket before decoding, its spans after decoding and
   * before the store. Over them the request is refused `RateLimited` (that
   * tenant alone; nothing waits). Absent: no per-tenant limit.
   */
  readonly tenantLimiter?: TenantLimiter;
  /** Where bodies are decoded; the process's shared worker pool by default. */
  readonly decodePool?: DecodePool;
  /**
   * Called with each batch after the store acknowledged it (live tail). It
   * must not block; whatever it throws is swallowed so ingest never fails for it.
   */
  readonly onAccepted?: (batch: AcceptedBatch) => void;
  /** Told when the store refused or failed a batch (the client is told to retry), with whose and how many spans. */
  readonly onWriteFailed?: (
    error: unknown,
    context: { readonly tenant: TenantId; readonly receiver: string; readonly spans: number },
  ) => void;
  /**
   * Whether `onAccepted` will ask for the spans of the batches written now
   * (a live-tail client is connected, say). A batch the store takes as bytes
   * leaves this thread: its spans are decoded before it goes only when this
   * says so. Default: whenever `onAccepted` is set.
   */
  readonly wantsSpans?: (tenant: TenantId) => boolean;
}

/**
 * Where each tenant's spans are written: its own store, opened on first
 * use. A plain `SpanWriter` stands for a server of one tenant and refuses
 * any other (a receiver that named another tenant is a bug, not a write).
 */
export type TenantWriters = (tenant: TenantId) => Promise<SpanWriter> | SpanWriter;

function writersOf(writer: SpanWriter | TenantWriters): TenantWriters {
  if (typeof writer === 'function') return writer;
  return (tenant) => {
    if (tenant !== SINGLE_TENANT) {
      throw new AriadneError('Internal', `this pipeline writes for ${SINGLE_TENANT} only, not for "${tenant}"`);
    }
    return writer;
  };
}

const DEFAULT_MAX_DECODING_BYTES = 64 * 1024 * 1024;
const DEFAULT_ANSWER_WITHIN_MS = 1_000;

export function createIngestPipeline(
  writer: SpanWriter | TenantWriters,
  options: IngestPipelineOptions,
): IngestPipeline {
  const writerFor = writersOf(writer);
  const metrics = options.metrics ?? new IngestMetrics();
  const decodePool = options.decodePool ?? sharedDecodePool();
  const maxDecodingBytes = options.maxDecodingBytes ?? DEFAULT_MAX_DECODING_BYTES;
  const answerWithinMs = options.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS;
  let inFlight = 0;
  let decodingBytes = 0;
  let closing = false;
  const pending = new Set<Promise<unknown>>();
  metrics.inFlightSpans.track(() => inFlight);
  const limits = options.limits ?? {};
  const maxSpansPerRequest = limits.maxSpansPerRequest ?? Number.POSITIVE_INFINITY;
  const limited = attributesLimitedCounter(metrics);
  const lateAnswers = lateAnswersCounter(metrics);
  const perTenant = tenantMetrics(metrics);
  const limiter = options.tenantLimiter;

  const notifyAccepted = (batch: AcceptedBatch) => {
    if (!options.onAccepted) return;
    try {
      options.onAccepted(batch);
    } catch {
      // A live-tail consumer's failure is its own; the client's batch is stored.
    }
  };

  /** Counts and throws when the store cannot take `count` more spans now. */
  const admit = (count: number, receiver: string, refused: Counter) => {
    if (closing || (inFlight > 0 && inFlight + count > options.maxInFlightSpans)) {
      refused.inc({ receiver, reason: 'overloaded' }, count);
      throw new AriadneError(
        'Overloaded',
        closing ? 'the server is shutting down' : `ingest queue is full (${inFlight} spans in flight); retry later`,
      );
    }
  };

  const write = async (
    count: number,
    receiver: string,
    refused: Counter,
    store: () => Promise<void>,
    accepted: AcceptedBatch,
    /** When the request reached the pipeline (`performance.now()`): the answer's bound counts from there, decoding included. */
    arrived: number,
    /** The request body's size, for the tenant's byte counter (0 when spans came decoded). */
    bytes: number,
  ) => {
    inFlight += count;
    const started = performance.now();
    const written = (async () => {
      try {
        await store();
        metrics.spansAccepted.inc({ receiver }, count);
        perTenant.spansAccepted.inc({ tenant: accepted.tenant }, count);
        if (bytes > 0) perTenant.bytesAccepted.inc({ tenant: accepted.tenant }, bytes);
        notifyAccepted(accepted);
      } catch (error) {
        const reason = isAriadneError(error, 'Overloaded') ? 'overloaded' : 'storage_failure';
        refused.inc({ receiver, reason }, count);
        options.onWriteFailed?.(error, { tenant: accepted.tenant, receiver, spans: count });
        throw isAriadneError(error) ? error : new AriadneError('StorageFailure', 'the store failed', { cause: error });
      } finally {
        inFlight -= count;
        metrics.storeWriteSeconds.observe((performance.now() - started) / 1000);
      }
    })();
    pending.add(written);
    written.then(
      () => pending.delete(written),
      () => pending.delete(written),
    );
    if (answerWithinMs <= 0) return written;
    // The client hears within the bound whatever the store does; the write itself goes on.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          lateAnswers.inc({ receiver });
          reject(
            new AriadneError(
              'Overloaded',
              `the store did not acknowledge the batch within ${answerWithinMs} ms; retry later (the spans may be stored: a retry's copies are kept once)`,
            ),
          );
        },
        Math.max(0, answerWithinMs - (started - arrived)),
      );
    });
    try {
      await Promise.race([written, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** After the shared bound (which takes nothing): the tenant's span bucket, whose tokens a refusal there would waste. */
  const admitForTenant = (tenant: TenantId, count: number, receiver: string, refused: Counter, bytes: number) => {
    try {
      limiter?.admitSpans(tenant, count, bytes);
    } catch (error) {
      refused.inc({ receiver, reason: isAriadneError(error, 'PayloadTooLarge') ? 'too_large' : 'rate_limited' }, count);
      throw error;
    }
  };

  const countLimits = (receiver: string, droppedAttributes: number, truncatedValues: number) => {
    if (droppedAttributes > 0) limited.inc({ receiver, reason: 'attribute_limit' }, droppedAttributes);
    if (truncatedValues > 0) limited.inc({ receiver, reason: 'truncated' }, truncatedValues);
  };

  const decode = async (body: Uint8Array, decoder: SpanDecoderName): Promise<DecodedBatch | RefusedBatch> => {
    const size = body.byteLength;
    decodingBytes += size;
    try {
      return await decodePool.decode({ decoder, body, limits });
    } finally {
      decodingBytes -= size;
    }
  };

  return {
    get inFlightSpans() {
      return inFlight;
    },
    get isFull() {
      return closing || inFlight >= options.maxInFlightSpans || decodingBytes >= maxDecodingBytes;
    },

    async ingest(body, decoder, receiver, tenant, submitOptions) {
      const arrived = performance.now();
      const refused = submitOptions?.unanswered ? metrics.spansDropped : metrics.spansRejected;
      const refusedUnread = (reason: 'invalid' | 'overloaded' | 'too_large' | 'rate_limited') => {
        if (!submitOptions?.unanswered) metrics.requestsRejected.inc({ receiver, reason });
        else submitOptions.onRefusedUnread?.(reason === 'too_large' ? 'invalid' : reason);
      };
      if (closing || (decodingBytes > 0 && decodingBytes + body.byteLength > maxDecodingBytes)) {
        refusedUnread('overloaded');
        throw new AriadneError(
          'Overloaded',
          closing ? 'the server is shutting down' : 'too many requests are being decoded; retry later',
        );
      }
      const bytes = body.byteLength;
      try {
        // Before decoding: a tenant over its byte rate costs no decoding.
        limiter?.admitBytes(tenant, bytes);
      } catch (error) {
        refusedUnread(isAriadneError(error, 'PayloadTooLarge') ? 'too_large' : 'rate_limited');
        throw error;
      }
      const result = await decode(body, decoder);
      const received = result.spanCount + result.rejectedSpans;
      if (received > 0) metrics.spansReceived.inc({ receiver }, received);
      if (result.rejectedSpans > 0) metrics.spansRejected.inc({ receiver, reason: 'invalid' }, result.rejectedSpans);
      if (!result.ok) {
        const reason: RejectReason = result.kind === 'PayloadTooLarge' ? 'too_large' : 'invalid';
        if (result.spanCount > 0) refused.inc({ receiver, reason }, result.spanCount);
        else refusedUnread(reason);
        throw new AriadneError(result.kind, result.message);
      }
      const outcome = {
        spanCount: result.spanCount,
        rejectedSpans: result.rejectedSpans,
        errorMessage: result.errorMessage,
      };
      if (result.spanCount === 0) return outcome;
      admit(result.spanCount, receiver, refused);
      admitForTenant(tenant, result.spanCount, receiver, refused, bytes);
      countLimits(receiver, result.droppedAttributes, result.truncatedValues);
      const { batch, spanCount } = result;
      let decoded: readonly Span[] | undefined;
      const spans = () => {
        // Once transferred to the store's thread the buffer here is empty (detached).
        decoded ??= decodeSpanBatch(batch.bytes);
        return decoded;
      };
      const store = async () => {
        const target = await writerFor(tenant);
        // A store on another thread takes the bytes; one on this thread takes the spans.
        if (!isSpanBatchWriter(target)) return target.writeSpans(spans());
        // The batch's buffer goes to the store's thread: decode the spans first if listeners will want them.
        if (options.onAccepted && (options.wantsSpans?.(tenant) ?? true)) spans();
        return target.writeSpanBatch(batch);
      };
      await write(spanCount, receiver, refused, store, { tenant, spanCount, spans }, arrived, bytes);
      return outcome;
    },

    async submit(submitted, receiver, tenant, submitOptions) {
      const arrived = performance.now();
      if (submitted.length === 0) return;
      const refused = submitOptions?.unanswered ? metrics.spansDropped : metrics.spansRejected;
      if (submitted.length > maxSpansPerRequest) {
        refused.inc({ receiver, reason: 'too_large' }, submitted.length);
        throw new AriadneError(
          'PayloadTooLarge',
          `request carries ${submitted.length} spans; the limit is ${maxSpansPerRequest} per request`,
        );
      }
      admit(submitted.length, receiver, refused);
      admitForTenant(tenant, submitted.length, receiver, refused, 0);
      try {
        validateSpanTimes(submitted);
      } catch (error) {
        refused.inc({ receiver, reason: 'invalid' }, submitted.length);
        throw error;
      }
      const outcome = limitSpans(submitted, limits);
      countLimits(receiver, outcome.droppedAttributes, outcome.truncatedValues);
      const spans = outcome.spans;
      const store = async () => {
        const target = await writerFor(tenant);
        return isSpanBatchWriter(target) ? target.writeSpanBatch(encodeSpanBatch(spans)) : target.writeSpans(spans);
      };
      await write(
        spans.length,
        receiver,
        refused,
        store,
        { tenant, spanCount: spans.length, spans: () => spans },
        arrived,
        0,
      );
    },

    ready: () => decodePool.ready(),

    async close() {
      closing = true;
      await Promise.allSettled([...pending]);
    },
  };
}
