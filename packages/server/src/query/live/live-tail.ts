import { type Span, serviceNameOf, stringifyJaegerJson, toJaegerTrace } from '@ariadne/protocol';
import { Hono } from 'hono';
import { httpStatusOfError } from '../http-error-status.js';
import type { Query } from '../traceql/ast.js';
import { compileTraceQL } from '../traceql/compile.js';
import { executeTraceQL } from '../traceql/execute.js';

export interface LiveTailOptions {
  /** Events a client may have waiting before newer ones are dropped. Default 256. */
  readonly maxBufferedEvents?: number;
  /** A comment line to idle clients this often, ms, so proxies keep the stream open. Default 15,000. */
  readonly heartbeatMs?: number;
  /** Clients at once; more get 503. Default 64. */
  readonly maxClients?: number;
}

export interface LiveTail {
  /** Hands newly accepted spans to every connected client. Never blocks, never throws. */
  publish(spans: readonly Span[]): void;
  /** `GET /api/live?service=` as server-sent events. */
  readonly api: Hono;
  /** Clients connected now. */
  readonly clientCount: number;
  /**
   * The services the connected clients filter on (`service=`), or undefined
   * when one of them wants every service: a process that reads spans for its
   * clients (a query node) reads only these.
   */
  wantedServices(): readonly string[] | undefined;
  /** Ends every client's stream and stops the heartbeat. */
  close(): void;
}

const encoder = new TextEncoder();

type Queued = { readonly kind: 'event'; readonly text: string } | { kind: 'dropped'; count: number };

/**
 * One connected client: a bounded queue drained by the response stream only
 * as fast as the socket takes it (a pull stream with no buffer of its own).
 * When the queue is full, new events are counted instead of kept, and the
 * count reaches the client, in order, as a `dropped` event.
 */
class Client {
  private readonly queue: Queued[] = [];
  private events = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(
    readonly service: string,
    /** A compiled TraceQL filter, or undefined for every trace. */
    readonly query: Query | undefined,
    private readonly max: number,
    onCancel: () => void,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => controller.enqueue(encoder.encode('retry: 3000\n: connected\n\n')),
        pull: async (controller) => {
          while (this.queue.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
          const next = this.queue.shift();
          if (next === undefined) {
            controller.close();
            return;
          }
          if (next.kind === 'event') {
            this.events--;
            controller.enqueue(encoder.encode(next.text));
          } else {
            controller.enqueue(encoder.encode(`event: dropped\ndata: {"dropped":${next.count}}\n\n`));
          }
        },
        cancel: () => {
          this.closed = true;
          onCancel();
        },
      },
      { highWaterMark: 0 },
    );
  }

  send(text: string): void {
    if (this.closed) return;
    if (this.events >= this.max) {
      const last = this.queue.at(-1);
      if (last?.kind === 'dropped') last.count++;
      else this.queue.push({ kind: 'dropped', count: 1 });
    } else {
      this.queue.push({ kind: 'event', text });
      this.events++;
    }
    this.notify();
  }

  /** A heartbeat only matters to a client with nothing else coming. */
  heartbeat(): void {
    if (this.closed || this.queue.length > 0) return;
    this.queue.push({ kind: 'event', text: ': heartbeat\n\n' });
    this.events++;
    this.notify();
  }

  end(): void {
    this.closed = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Live tail: spans as they are accepted, pushed to browsers as server-sent
 * events. Each published batch becomes one `spans` event per client whose
 * data is a JSON array of Jaeger UI traces (the batch's spans grouped by
 * trace; a trace may arrive over several events). `service=` keeps the
 * traces of the batch that have a span of that service. A slow client loses
 * events (it is told with a `dropped` event carrying the count) and never
 * slows ingest: `publish` only appends to bounded queues.
 *
 * `q=` filters with TraceQL, evaluated on the spans of each trace in the
 * batch (live tail sees traces as they arrive, so a structural query such as
 * `{a} >> {b}` matches only once both spans arrived in one batch). An invalid
 * query is refused with 400 and its position, never ignored.
 */
export function createLiveTail(options: LiveTailOptions = {}): LiveTail {
  const max = options.maxBufferedEvents ?? 256;
  const maxClients = options.maxClients ?? 64;
  const clients = new Set<Client>();
  let sequence = 0;
  const timer = setInterval(() => {
    for (const client of clients) client.heartbeat();
  }, options.heartbeatMs ?? 15_000);
  timer.unref();

  const api = new Hono();
  api.get('/api/live', (c) => {
    let query: Query | undefined;
    try {
      const q = c.req.query('q') ?? '';
      query = q.trim() === '' ? undefined : compileTraceQL(q);
      if (clients.size >= maxClients) {
        return c.json({ error: `too many live tail clients (${maxClients})` }, 503, { 'retry-after': '5' });
      }
    } catch (error) {
      return c.json({ error: (error as Error).message }, httpStatusOfError(error) as 400);
    }
    const client: Client = new Client(c.req.query('service') ?? '', query, max, () => clients.delete(client));
    clients.add(client);
    return new Response(client.stream, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Tells nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
      },
    });
  });

  return {
    api,
    get clientCount() {
      return clients.size;
    },
    wantedServices() {
      const services = new Set<string>();
      for (const client of clients) {
        if (client.service === '') return undefined;
        services.add(client.service);
      }
      return [...services];
    },
    publish(spans) {
      if (clients.size === 0 || spans.length === 0) return;
      try {
        const byTrace = new Map<string, Span[]>();
        for (const span of spans) {
          const list = byTrace.get(span.traceId);
          if (list === undefined) byTrace.set(span.traceId, [span]);
          else list.push(span);
        }
        // Each trace is written once, whatever the number of clients.
        const written = [...byTrace.values()].map((group) => ({
          spans: group,
          services: new Set(group.map((s) => serviceNameOf(s.resource))),
          json: stringifyJaegerJson(toJaegerTrace(group)),
        }));
        const id = ++sequence;
        const everything = `id: ${id}\nevent: spans\ndata: [${written.map((w) => w.json).join(',')}]\n\n`;
        for (const client of clients) {
          if (client.service === '' && client.query === undefined) {
            client.send(everything);
            continue;
          }
          const chosen = written.filter(
            (w) =>
              (client.service === '' || w.services.has(client.service)) &&
              (client.query === undefined || matchesQuietly(client.query, w.spans)),
          );
          if (chosen.length > 0)
            client.send(`id: ${id}\nevent: spans\ndata: [${chosen.map((w) => w.json).join(',')}]\n\n`);
        }
      } catch {
        // Live tail is a convenience: a span it cannot render must not fail ingest.
      }
    },
    close() {
      clearInterval(timer);
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}

/** A query that fails on one trace (an unexpected value) filters that trace out rather than failing the batch. */
function matchesQuietly(query: Query, spans: readonly Span[]): boolean {
  try {
    return executeTraceQL(query, spans).length > 0;
  } catch {
    return false;
  }
}
