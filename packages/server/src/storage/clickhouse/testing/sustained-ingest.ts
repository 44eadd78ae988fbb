import { makeSpan, type Span, serviceResource } from '@ariadne/protocol';
import type { SpanWriter } from '../../span-store.js';

/**
 * Writes batches of new spans, one after another, until stopped, and keeps
 * the books a failure test needs: which batches were acknowledged (the
 * write resolved) and which failed. Every batch has its own traces and its
 * spans are named after it (`batch-<n>`), so a count by name tells which
 * acknowledged batches are whole, on any node.
 */
export interface SustainedIngest {
  /**
   * Resolves once `count` more batches have been acknowledged since the call;
   * rejects after `timeoutMs` (default 3 minutes: only a hang misses it), so a
   * writer that never recovers fails the test instead of hanging it.
   */
  acknowledgedMore(count: number, timeoutMs?: number): Promise<void>;
  /** Batches acknowledged so far. */
  acknowledgedCount(): number;
  /** Stops after the write in flight; resolves to the books. */
  stop(): Promise<IngestBooks>;
}

export interface IngestBooks {
  /** Batch name -> spans in it, for every acknowledged batch. */
  readonly acknowledged: ReadonlyMap<string, number>;
  readonly failed: number;
  readonly errors: readonly string[];
}

export function startSustainedIngest(
  writer: SpanWriter,
  options: { spansPerBatch?: number; prefix?: string } = {},
): SustainedIngest {
  const spansPerBatch = options.spansPerBatch ?? 200;
  const prefix = options.prefix ?? 'batch';
  const acknowledged = new Map<string, number>();
  const errors: string[] = [];
  let failed = 0;
  let stopped = false;
  let waiters: { target: number; resolve: () => void }[] = [];
  const loop = (async () => {
    for (let batch = 0; !stopped; batch++) {
      const name = `${prefix}-${batch}`;
      try {
        await writer.writeSpans(ingestBatch(name, batch, spansPerBatch));
        acknowledged.set(name, spansPerBatch);
        waiters = waiters.filter((waiter) => {
          if (acknowledged.size < waiter.target) return true;
          waiter.resolve();
          return false;
        });
      } catch (error) {
        failed++;
        if (errors.length < 20) errors.push(error instanceof Error ? error.message.slice(0, 300) : String(error));
      }
    }
  })();
  return {
    acknowledgedMore: (count, timeoutMs = 180_000) =>
      new Promise((resolve, reject) => {
        const waiter = { target: acknowledged.size + count, resolve: () => {} };
        const timer = setTimeout(() => {
          waiters = waiters.filter((other) => other !== waiter);
          reject(
            new Error(
              `${count} more batches not acknowledged within ${timeoutMs} ms (${failed} failed; last errors: ${errors.slice(-3).join(' | ')})`,
            ),
          );
        }, timeoutMs);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(waiter);
      }),
    acknowledgedCount: () => acknowledged.size,
    stop: async () => {
      stopped = true;
      await loop;
      return { acknowledged, failed, errors };
    },
  };
}

const SERVICES = ['checkout', 'cart', 'payments', 'shipping'];

/** Batch number `batch`: `size` spans named `name`, 4 per trace, ids unique to the batch; starting now. */
export function ingestBatch(name: string, batch: number, size: number): Span[] {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans: Span[] = [];
  for (let i = 0; i < size; i++) {
    // 4 spans per trace; ids unique per batch and span.
    const trace = Math.floor(i / 4);
    const traceId = `${hex(batch + 1, 16)}${hex(trace + 1, 16)}`;
    const start = now + BigInt(i) * 1_000n;
    spans.push(
      makeSpan({
        traceId,
        spanId: hex(batch * 100_000 + i + 1, 16),
        parentSpanId: i % 4 === 0 ? '' : hex(batch * 100_000 + trace * 4 + 1, 16),
        name,
        startTimeUnixNano: start,
        endTimeUnixNano: start + 5_000_000n,
        resource: serviceResource(SERVICES[i % 4]!),
      }),
    );
  }
  return spans;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
