import type { Span } from '@ariadne/protocol';

/**
 * The outcome of one export. `failed` means the batch is gone for good as
 * far as the caller is concerned: exporters retry internally (within their
 * own timeout) before they report failure; processors never retry.
 */
export type ExportResult = { readonly code: 'success' } | { readonly code: 'failed'; readonly error: Error };

export const EXPORT_SUCCESS: ExportResult = Object.freeze({ code: 'success' });

/**
 * Sends finished spans somewhere. Contract:
 * - `export` is called by at most one processor at a time per batch, never
 *   with an empty array, and the array is the exporter's to keep (it is not
 *   reused); it resolves with the result and should not reject: processors
 *   treat a rejection as `failed`.
 * - The spans' `resource` and `scope` objects are shared between spans; an
 *   exporter may group by identity (`===`) instead of by value.
 * - `shutdown` waits for exports already started, then releases resources;
 *   `export` after shutdown resolves `failed` at once.
 */
export interface SpanExporter {
  export(spans: readonly Span[]): Promise<ExportResult>;
  /** Waits for exports this exporter started itself (optional). */
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

export function exportFailure(error: unknown): ExportResult {
  return { code: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}
