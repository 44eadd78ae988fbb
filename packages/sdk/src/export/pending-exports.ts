import type { ExportResult } from './span-exporter.js';

/** The exports an exporter has started and not finished, so `forceFlush` and `shutdown` can wait for them. */
export class PendingExports {
  private readonly pending = new Set<Promise<ExportResult>>();

  track(done: Promise<ExportResult>): Promise<ExportResult> {
    this.pending.add(done);
    done.finally(() => this.pending.delete(done));
    return done;
  }

  get size(): number {
    return this.pending.size;
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
