import type { Span } from '@ariadne/protocol';
import { type Span as ApiSpan, type Context, diag } from '@opentelemetry/api';
import { noopSpanProcessor, type SpanProcessor } from './span-processor.js';

/**
 * Fans out to several processors in order. One failing processor does not
 * keep a span from the others: exceptions are reported through `diag`.
 */
export class MultiSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}

  onStart(span: ApiSpan, parentContext: Context): void {
    for (const processor of this.processors) {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        diag.error('span processor onStart failed', error);
      }
    }
  }

  onEnd(span: Span): void {
    for (const processor of this.processors) {
      try {
        processor.onEnd(span);
      } catch (error) {
        diag.error('span processor onEnd failed', error);
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

/** One processor as itself (no fan-out cost on the hot path), none as a no-op. */
export function combineProcessors(processors: readonly SpanProcessor[]): SpanProcessor {
  if (processors.length === 0) return noopSpanProcessor;
  if (processors.length === 1) return processors[0] as SpanProcessor;
  return new MultiSpanProcessor(processors);
}
