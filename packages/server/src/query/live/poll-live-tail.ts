import type { Span } from '@ariadne/protocol';
import type { RecentSpansReader } from '../../storage/recent-spans-reader.js';
import type { LiveTail } from './live-tail.js';

export interface LiveTailPollOptions {
  /** Time between polls while someone tails, ms. Default 1,000. */
  readonly intervalMs?: number;
  /**
   * How long after its end a span may reach the store and still be tailed,
   * ns. Default 15 s: OpenTelemetry SDKs export every 5 s, and a collector
   * writes within a second or so of receiving.
   */
  readonly exportDelayNanos?: bigint;
  /**
   * Spans that started longer ago than this are not tailed, ns. Default 1
   * minute: it bounds what each poll scans (every span of the last minute,
   * of the services the clients ask for), and most spans are shorter.
   */
  readonly maxSpanAgeNanos?: bigint;
  /** Most spans one poll reads; a person cannot read more per second. Default 5,000. */
  readonly maxSpansPerPoll?: number;
  /** Told when a poll fails (the next one tries again). */
  readonly onError?: (error: unknown) => void;
  /** The wall clock, ns since the epoch (tests move it). */
  readonly nowNanos?: () => bigint;
}

export interface LiveTailPoller {
  /** Runs one poll now (what the timer runs); resolves to the spans published. */
  pollOnce(): Promise<number>;
  stop(): void;
}

/**
 * Live tail for a process that receives no spans itself (a query node): it
 * polls the store for spans that ended since its last poll, minus the export
 * delay, and publishes the ones it has not published yet.
 *
 * Why poll the store rather than hear from collectors: the store is already
 * what every collector and query node share, so nothing new has to find
 * anyone (no list of query nodes on the collectors, no connections between
 * them through firewalls and auth), nothing is sent when nobody tails (a
 * poll runs only while a client is connected), and a collector restart or a
 * new query node needs no coordination. The price is a delay of up to one
 * interval plus the query (measured by tests/roles.test.ts), and spans that
 * reach the store more than `exportDelayNanos` after they ended, or started
 * more than `maxSpanAgeNanos` before, are not tailed. Search finds them.
 * Only the services the clients ask for are read (all when one asks for all).
 *
 * Spans are remembered by trace and span id until their end leaves the
 * window, so each is published once however many polls see it.
 */
export function pollLiveTail(
  reader: RecentSpansReader,
  liveTail: Pick<LiveTail, 'publish' | 'clientCount' | 'wantedServices'>,
  options: LiveTailPollOptions = {},
): LiveTailPoller {
  const intervalMs = options.intervalMs ?? 1_000;
  const delay = options.exportDelayNanos ?? 15_000_000_000n;
  const maxAge = options.maxSpanAgeNanos ?? 60_000_000_000n;
  const limit = options.maxSpansPerPoll ?? 5_000;
  const now = options.nowNanos ?? (() => BigInt(Date.now()) * 1_000_000n);
  /** trace id + span id -> the span's end, for as long as a poll can see it again. */
  const published = new Map<string, bigint>();
  /** The previous poll's time, or undefined while nobody tails (the next client starts afresh). */
  let previous: bigint | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const pollOnce = async (): Promise<number> => {
    if (liveTail.clientCount === 0) {
      previous = undefined;
      published.clear();
      return 0;
    }
    const at = now();
    const endedAfter = (previous ?? at) - delay;
    const services = liveTail.wantedServices();
    const found = await reader.readRecentSpans({
      endedAfterNanos: endedAfter,
      startedAfterNanos: at - maxAge,
      ...(services === undefined ? {} : { services }),
      limit,
    });
    previous = at;
    const fresh: Span[] = [];
    for (const span of found) {
      const key = `${span.traceId}${span.spanId}`;
      if (published.has(key)) continue;
      published.set(key, span.endTimeUnixNano);
      fresh.push(span);
    }
    for (const [key, end] of published) if (end < endedAfter) published.delete(key);
    // Oldest first, as they happened.
    fresh.sort((a, b) => (a.endTimeUnixNano < b.endTimeUnixNano ? -1 : a.endTimeUnixNano > b.endTimeUnixNano ? 1 : 0));
    liveTail.publish(fresh);
    return fresh.length;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      pollOnce().then(schedule, (error: unknown) => {
        options.onError?.(error);
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    pollOnce,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
