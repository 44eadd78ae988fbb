import type { Span } from '@ariadne/protocol';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

/** Keeps exported spans in memory: for tests and for embedding the SDK in a process that reads its own spans. */
export class InMemorySpanExporter implements SpanExporter {
  private readonly finished: Span[] = [];
  private stopped = false;

  export(spans: readonly Span[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve(exportFailure(new Error('exporter is shut down')));
    for (const span of spans) this.finished.push(span);
    return Promise.resolve(EXPORT_SUCCESS);
  }

  /** Spans exported so far, in export order. */
  get spans(): readonly Span[] {
    return this.finished;
  }

  reset(): void {
    this.finished.length = 0;
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
