import type { Span } from '@ariadne/protocol';
import { diag } from '@opentelemetry/api';
import { type ExportResult, exportFailure, type SpanExporter } from '../export/span-exporter.js';
import { type Env, numberFromEnv } from '../trace/env.js';

export interface BatchSpanProcessorOptions {
  /** Milliseconds between exports of a partial batch (OTEL_BSP_SCHEDULE_DELAY, default 5000). */
  readonly scheduleDelayMillis?: number;
  /** Spans waiting beyond this are dropped and counted (OTEL_BSP_MAX_QUEUE_SIZE, default 2048). */
  readonly maxQueueSize?: number;
  /** Spans per export (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, default 512, at most maxQueueSize). */
  readonly maxExportBatchSize?: number;
  /** Milliseconds one export may take before it counts as failed (OTEL_BSP_EXPORT_TIMEOUT, default 30000). */
  readonly exportTimeoutMillis?: number;
  readonly env?: Env;
}

export interface BatchSpanProcessorStats {
  /** Spans refused because the queue was full. */
  readonly droppedSpans: number;
  readonly exportedSpans: number;
  /** Spans in batches whose export failed or timed out. */
  readonly failedSpans: number;
  readonly queuedSpans: number;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Queues sampled spans and exports them in batches, one export at a time:
 * when a full batch is waiting (at once), else `scheduleDelayMillis` after
 * the first span of a partial batch arrived. The queue is bounded; what does
 * not fit is dropped and counted, never blocking the application.
 * `forceFlush` and `shutdown` export everything queued before they resolve,
 * each send given up after the export timeout (`OTEL_BSP_EXPORT_TIMEOUT`).
 */
export class BatchSpanProcessor {
  private readonly scheduleDelay: number;
  private readonly maxQueueSize: number;
  private readonly maxBatch: number;
  private readonly exportTimeout: number;
  private queue: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting = false;
  private current: Promise<void> = Promise.resolve();
  /** While positive, the export loop drains the whole queue instead of stopping at a partial batch. */
  private flushers = 0;
  private stopped = false;
  private dropped = 0;
  private exported = 0;
  private failed = 0;

  constructor(
    private readonly exporter: SpanExporter,
    options: BatchSpanProcessorOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.scheduleDelay =
      positive(options.scheduleDelayMillis) ?? positive(numberFromEnv(env, 'OTEL_BSP_SCHEDULE_DELAY')) ?? 5000;
    this.maxQueueSize =
      positive(options.maxQueueSize) ?? positive(numberFromEnv(env, 'OTEL_BSP_MAX_QUEUE_SIZE')) ?? 2048;
    const batch =
      positive(options.maxExportBatchSize) ?? positive(numberFromEnv(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE')) ?? 512;
    // As in the OTel SDK, a batch larger than the queue could never fill.
    this.maxBatch = Math.min(batch, this.maxQueueSize);
    this.exportTimeout =
      positive(options.exportTimeoutMillis) ?? positive(numberFromEnv(env, 'OTEL_BSP_EXPORT_TIMEOUT')) ?? 30000;
  }

  get stats(): BatchSpanProcessorStats {
    return {
      droppedSpans: this.dropped,
      exportedSpans: this.exported,
      failedSpans: this.failed,
      queuedSpans: this.queue.length,
    };
  }

  onStart(): void {}

  onEnd(span: Span): void {
    if (this.stopped || (span.flags & 1) === 0) return;
    if (this.queue.length >= this.maxQueueSize) {
      if (this.dropped === 0) diag.warn('batch span processor queue is full; dropping spans');
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) this.startExporting();
    else if (this.timer === undefined && !this.exporting) this.armTimer();
  }

  async forceFlush(): Promise<void> {
    this.flushers++;
    try {
      while (this.queue.length > 0 || this.exporting) {
        if (!this.exporting) this.startExporting();
        await this.current;
      }
    } finally {
      this.flushers--;
    }
    // Each batch above gave up after the export timeout, but the exporter may still hold
    // the send it was making: a flush waits for it no longer than one export may take.
    const flushing = this.exporter.forceFlush?.();
    if (flushing !== undefined) await this.withinExportTimeout(flushing, () => undefined);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forceFlush();
    this.clearTimer();
    await this.withinExportTimeout(this.exporter.shutdown(), () => undefined);
  }

  /** What `work` resolves to, or `onTimeout()` once the export timeout passed first. */
  private async withinExportTimeout<T>(work: Promise<T>, onTimeout: () => T): Promise<T> {
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<T>((resolve) => {
      timeout = setTimeout(() => resolve(onTimeout()), this.exportTimeout);
    });
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timeout);
    }
  }

  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushers++;
      this.startExporting();
      this.current.finally(() => this.flushers--);
    }, this.scheduleDelay);
    // A pending export must not keep a finished program alive; shutdown() flushes instead.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startExporting(): void {
    if (this.exporting) return;
    this.clearTimer();
    this.exporting = true;
    this.current = this.exportLoop();
  }

  private async exportLoop(): Promise<void> {
    try {
      do await this.exportBatch();
      while (this.queue.length >= this.maxBatch || (this.flushers > 0 && this.queue.length > 0));
    } finally {
      this.exporting = false;
      if (this.queue.length > 0 && !this.stopped) this.armTimer();
    }
  }

  private async exportBatch(): Promise<void> {
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    if (batch.length === 0) return;
    let result: ExportResult;
    try {
      result = await this.withinExportTimeout(this.exporter.export(batch), () =>
        exportFailure(new Error(`export timed out after ${this.exportTimeout} ms`)),
      );
    } catch (error) {
      result = exportFailure(error);
    }
    if (result.code === 'success') this.exported += batch.length;
    else {
      this.failed += batch.length;
      diag.error(`export of ${batch.length} spans failed`, result.error);
    }
  }
}
