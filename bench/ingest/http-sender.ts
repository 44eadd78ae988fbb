import { Agent, request } from 'node:http';

/** A request body ready to send, with the spans it carries. */
export interface Payload {
  readonly body: Uint8Array;
  readonly spanCount: number;
  /** Opaque to the sender; lets the caller tell which payloads were acknowledged. */
  readonly id?: number;
}

export interface PostAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/**
 * POSTs one body with node:http (lighter than fetch, so the client side of a
 * benchmark costs less of the shared CPU). Network errors reject.
 */
export function post(url: URL, body: Uint8Array, contentType: string, agent: Agent): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body: Buffer.concat(chunks).toString('latin1'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface LoadOptions {
  readonly url: string;
  readonly contentType: string;
  /** Concurrent clients, each with one request in flight at a time. */
  readonly clients: number;
  /** The next payload to send, or undefined when there is none left. */
  readonly next: () => Payload | undefined;
  /** Stop starting new requests after this long. */
  readonly durationMs: number;
  /**
   * Spans per second all clients together may send at most (an open-loop
   * offered load); absent: as fast as answers come back (closed loop).
   */
  readonly spansPerSecond?: number;
  /** Called with each answer (e.g. to record acknowledged payloads). */
  readonly onAnswer?: (payload: Payload, answer: PostAnswer) => void;
}

export interface LoadResult {
  readonly seconds: number;
  readonly requests: number;
  /** Spans in requests answered 2xx. */
  readonly acceptedSpans: number;
  /** Spans in requests answered 429 or 503 (retryable). */
  readonly retryableSpans: number;
  /** Spans in requests answered anything else, or that failed on the network. */
  readonly failedSpans: number;
  readonly statuses: ReadonlyMap<number, number>;
  /** Answers 429/503 that lacked a Retry-After header. */
  readonly missingRetryAfter: number;
  readonly networkErrors: number;
  readonly firstError: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Several clients posting payloads for a bounded time; counts what the server answered. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const statuses = new Map<number, number>();
  let requests = 0;
  let acceptedSpans = 0;
  let retryableSpans = 0;
  let failedSpans = 0;
  let missingRetryAfter = 0;
  let networkErrors = 0;
  let firstError = '';
  let offeredSpans = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= deadline) return;
      if (options.spansPerSecond !== undefined) {
        // Open loop: wait until the schedule allows the next batch, whatever the server answers.
        const due = started + (offeredSpans / options.spansPerSecond) * 1000;
        if (due > now) await sleep(due - now);
      }
      const payload = options.next();
      if (payload === undefined) return;
      offeredSpans += payload.spanCount;
      requests++;
      try {
        const answer = await post(url, payload.body, options.contentType, agent);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 200 && answer.status < 300) acceptedSpans += payload.spanCount;
        else if (answer.status === 429 || answer.status === 503) {
          retryableSpans += payload.spanCount;
          if (answer.retryAfter === undefined) missingRetryAfter++;
        } else {
          failedSpans += payload.spanCount;
          firstError ||= `${answer.status}: ${answer.body.slice(0, 200)}`;
        }
        options.onAnswer?.(payload, answer);
      } catch (error) {
        networkErrors++;
        failedSpans += payload.spanCount;
        firstError ||= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    seconds,
    requests,
    acceptedSpans,
    retryableSpans,
    failedSpans,
    statuses,
    missingRetryAfter,
    networkErrors,
    firstError,
  };
}
