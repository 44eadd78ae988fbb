/**
 * Server-sent events read from a `fetch` stream rather than `EventSource`,
 * which cannot send headers: live tail needs the tab's token and tenant.
 * The parser follows the HTML spec's rules for `text/event-stream`.
 */
export interface StreamEvent {
  /** `event:`, or "message" when the event named none. */
  readonly type: string;
  readonly data: string;
}

export class EventStreamParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  /** The last `retry:` the server sent, in milliseconds. */
  retryMs: number | undefined;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): StreamEvent[] {
    this.buffer += text;
    const events: StreamEvent[] = [];
    for (;;) {
      const end = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be half of \r\n: wait for the next chunk.
      if (end === null || (end[0] === '\r' && end.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  private line(line: string): StreamEvent | undefined {
    if (line === '') {
      const data = this.data;
      const type = this.type || 'message';
      this.data = [];
      this.type = '';
      return data.length === 0 ? undefined : { type, data: data.join('\n') };
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}

export interface EventStreamHandlers {
  /** The server accepted the stream (again, after a reconnect). */
  onOpen(): void;
  onEvent(event: StreamEvent): void;
  /** The stream broke; trying again after the server's `retry:`. */
  onReconnecting(): void;
  /** The server refused the stream (not 200): no retry, as `EventSource` does. */
  onRefused(status: number, body: string): void;
}

const DEFAULT_RETRY_MS = 3000;

/**
 * Follows an event stream until the returned function is called: reconnects
 * after a broken connection, stops on a refusal. `doFetch` adds the
 * credentials (`sessionFetch`).
 */
export function followEventStream(
  url: string,
  handlers: EventStreamHandlers,
  doFetch: (input: string, init: RequestInit) => Promise<Response>,
): () => void {
  const abort = new AbortController();
  const { signal } = abort;
  let retryMs = DEFAULT_RETRY_MS;

  const connect = async (): Promise<'retry' | 'stop'> => {
    let response: Response;
    try {
      response = await doFetch(url, { headers: { Accept: 'text/event-stream' }, signal, cache: 'no-store' });
    } catch {
      return 'retry';
    }
    if (!response.ok || response.body === null) {
      const body = await response.text().catch(() => '');
      if (!signal.aborted) handlers.onRefused(response.status, body);
      return 'stop';
    }
    handlers.onOpen();
    const parser = new EventStreamParser();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) handlers.onEvent(event);
        if (parser.retryMs !== undefined) retryMs = parser.retryMs;
      }
    } catch {}
    return 'retry';
  };

  void (async () => {
    while (!signal.aborted) {
      if ((await connect()) === 'stop' || signal.aborted) return;
      handlers.onReconnecting();
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
  })();
  return () => abort.abort();
}
