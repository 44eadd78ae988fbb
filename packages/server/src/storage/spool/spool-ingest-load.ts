import { randomBytes } from 'node:crypto';
import { encodeOtlpTraceRequestJson, makeSpan, type Span, SpanKind } from '@ariadne/protocol';

/** Spans per batch: one `frontend` root and its `backend` children. */
export const SPANS_PER_BATCH = 10;

/** One request's worth of spans: a trace of its own, so that each acknowledged batch can be looked up. */
export function spoolTestBatch(nowNanos = BigInt(Date.now()) * 1_000_000n): { traceId: string; spans: Span[] } {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const root = makeSpan({
    traceId,
    spanId: rootId,
    service: 'frontend',
    name: 'GET /checkout',
    kind: SpanKind.Server,
    startTimeUnixNano: nowNanos,
    endTimeUnixNano: nowNanos + 50_000_000n,
  });
  const children = Array.from({ length: SPANS_PER_BATCH - 1 }, (_, i) =>
    makeSpan({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootId,
      service: 'backend',
      name: `query ${i % 3}`,
      kind: SpanKind.Server,
      startTimeUnixNano: nowNanos + BigInt(i + 1) * 1_000_000n,
      endTimeUnixNano: nowNanos + BigInt(i + 2) * 1_000_000n,
    }),
  );
  return { traceId, spans: [root, ...children] };
}

/** What a refused request was told. */
export interface Refusal {
  readonly status: number;
  readonly retryAfter: string | null;
  /** How long the answer took. */
  readonly ms: number;
}

/**
 * Sustained ingest over OTLP/HTTP from concurrent loops, the way an SDK's
 * exporter sends: each batch once (never re-sent, so that any copy in the
 * store is the server's doing), and a batch counts as acknowledged only when
 * answered 200.
 */
export class SpoolIngestLoad {
  readonly acknowledged: string[] = [];
  readonly refusals: Refusal[] = [];
  /** Requests that got no answer at all (the server was killed, say). */
  failures = 0;
  #running = false;
  #loops: Promise<void>[] = [];

  /** `target` is read before every request: undefined pauses the loops (no server to send to). */
  constructor(
    private readonly target: () => string | undefined,
    /** Sent with every request (a tenant's `X-Scope-OrgID`, say). */
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  start(loops = 2): void {
    this.#running = true;
    for (let i = 0; i < loops; i++) this.#loops.push(this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops.splice(0));
  }

  /** Resolves once `count` more batches than now have been acknowledged. */
  async acknowledgedMore(count: number, timeoutMs = 120_000): Promise<void> {
    const goal = this.acknowledged.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.length < goal) {
      if (Date.now() > deadline) throw new Error(`only ${this.acknowledged.length} of ${goal} batches acknowledged`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const url = this.target();
      if (url === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const { traceId, spans } = spoolTestBatch();
      const started = performance.now();
      try {
        const response = await fetch(`${url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.headers },
          body: encodeOtlpTraceRequestJson(spans),
          signal: AbortSignal.timeout(60_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) this.acknowledged.push(traceId);
        else {
          this.refusals.push({
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            ms: performance.now() - started,
          });
          // A refused client backs off a little, as exporters do.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } catch {
        this.failures++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A steady pace, not a flood: the machine is shared.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
