import type { Span } from '@ariadne/protocol';
import { PendingExports } from './pending-exports.js';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

/**
 * The lifecycle every exporter that sends over the network shares: refuse
 * after shutdown, skip empty batches, turn a thrown send into a failed
 * result, and let `forceFlush` and `shutdown` wait for every send in flight
 * so that nothing handed to the exporter is lost on the way out. A subclass
 * says how one batch is sent, and what to release once the last one is done.
 */
export abstract class NetworkSpanExporter implements SpanExporter {
  private readonly pending = new PendingExports();
  private stopped = false;

  export(spans: readonly Span[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve(exportFailure(new Error('exporter is shut down')));
    if (spans.length === 0) return Promise.resolve(EXPORT_SUCCESS);
    return this.pending.track(this.send(spans).catch((error: unknown) => exportFailure(error)));
  }

  forceFlush(): Promise<void> {
    return this.pending.settle();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.pending.settle();
    await this.release();
  }

  /** Sends one batch (retrying as the exporter's policy says). */
  protected abstract send(spans: readonly Span[]): Promise<ExportResult>;

  /** Closes sockets and clients once the last send is done. */
  protected release(): Promise<void> | void {}
}
