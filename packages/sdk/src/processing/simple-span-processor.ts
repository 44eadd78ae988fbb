import type { Span } from '@ariadne/protocol';
import { diag } from '@opentelemetry/api';
import { type ExportResult, exportFailure, type SpanExporter } from '../export/span-exporter.js';

/**
 * Exports each sampled span as soon as it ends, one export per span: for
 * tests, debugging and the console exporter, not for production traffic
 * (use the batch processor). Spans that are recorded but not sampled
 * (RECORD_ONLY) are not exported, as in OpenTelemetry.
 */
export class SimpleSpanProcessor {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly exporter: SpanExporter) {}

  onStart(): void {}

  onEnd(span: Span): void {
    if (this.stopped || (span.flags & 1) === 0) return;
    const done: Promise<void> = this.exporter
      .export([span])
      .catch((error: unknown): ExportResult => exportFailure(error))
      .then((result) => {
        if (result.code === 'failed') diag.error('span export failed', result.error);
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
    await this.exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forceFlush();
    await this.exporter.shutdown();
  }
}
