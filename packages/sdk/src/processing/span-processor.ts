import type { Span } from '@ariadne/protocol';
import type { Span as ApiSpan, Context } from '@opentelemetry/api';

/**
 * Sees every recording span twice: live when it starts (it may still add
 * attributes), and as a finished domain `Span` when it ends. Both hooks are
 * synchronous and on the application's hot path, so they must be cheap and
 * must not throw; export work belongs in `forceFlush`/background batches.
 */
export interface SpanProcessor {
  onStart(span: ApiSpan, parentContext: Context): void;
  onEnd(span: Span): void;
  /** Resolves once every span ended so far has been handed on (exported). */
  forceFlush(): Promise<void>;
  /** Flushes, then releases resources; later spans are ignored. */
  shutdown(): Promise<void>;
}

export const noopSpanProcessor: SpanProcessor = Object.freeze({
  onStart() {},
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});
