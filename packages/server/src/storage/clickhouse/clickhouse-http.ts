import { AriadneError } from '@ariadne/protocol';
import { currentQueryDeadline } from '../../query/query-deadline.js';

/**
 * A small client for ClickHouse's HTTP interface. We speak HTTP ourselves
 * (instead of `@clickhouse/client`) for two reasons: spans go in and out as
 * RowBinary we encode and decode ourselves (row-binary.ts), and old servers
 * (18.16, Debian 12's) reject settings that newer clients add to every request.
 */
export interface ClickHouseHttpOptions {
  /**
   * HTTP interface, e.g. http://127.0.0.1:8123; several nodes separated by
   * commas: requests go to the one that answered last, and move to the next
   * when a node cannot be reached (replicated-cluster failover).
   */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Sent with every request (e.g. distributed_product_mode). */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** A request (with its answer) that takes longer fails as a StorageFailure. Default 2 minutes. */
  readonly timeoutMs?: number;
}

export type Settings = Readonly<Record<string, string | number>>;

/** ClickHouse's error code 427: the regular expression does not compile in RE2. */
export const CANNOT_COMPILE_REGEXP = 427;
/** ClickHouse's error code 159: the query ran past `max_execution_time`. */
export const TIMEOUT_EXCEEDED = 159;
/** ClickHouse's error code 252: a partition has too many unmerged parts; inserts must slow down. */
export const TOO_MANY_PARTS = 252;

export class ClickHouseHttp {
  readonly #urls: readonly string[];
  #current = 0;
  readonly #headers: Record<string, string>;
  readonly #settings: Settings;
  readonly #timeoutMs: number;

  constructor(options: ClickHouseHttpOptions) {
    this.#urls = options.url
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter((url) => url !== '');
    if (this.#urls.length === 0) throw new AriadneError('InvalidQuery', 'no ClickHouse URL given');
    this.#headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.username !== undefined) this.#headers['x-clickhouse-user'] = options.username;
    if (options.password !== undefined) this.#headers['x-clickhouse-key'] = options.password;
    this.#settings = options.settings ?? {};
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Runs a statement that returns no rows (DDL, ALTER). */
  async command(sql: string, settings: Settings = {}): Promise<void> {
    await this.#text(sql, undefined, settings);
  }

  /** Runs a SELECT and returns its rows (JSONEachRow; 64-bit integers come as strings). */
  async query<Row>(sql: string, settings: Settings = {}): Promise<Row[]> {
    const text = await this.#text(`${sql}\nFORMAT JSONEachRow`, undefined, {
      output_format_json_quote_64bit_integers: 1,
      ...settings,
    });
    const rows: Row[] = [];
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) rows.push(JSON.parse(text.slice(start, end)) as Row);
      start = end + 1;
    }
    return rows;
  }

  /** Runs a SELECT and returns its answer as RowBinary bytes (see row-binary.ts). */
  async queryBinary(sql: string, settings: Settings = {}): Promise<Buffer> {
    const response = await this.#post(`${sql}\nFORMAT RowBinary`, undefined, settings);
    return Buffer.from(await this.#read(() => response.arrayBuffer()));
  }

  /** Inserts rows already encoded as RowBinary, for the columns named, in that order. */
  async insert(table: string, columns: readonly string[], body: Uint8Array, settings: Settings = {}): Promise<void> {
    if (body.length === 0) return;
    const response = await this.#post(body, `INSERT INTO ${table} (${columns.join(', ')}) FORMAT RowBinary`, settings);
    await this.#read(() => response.arrayBuffer());
  }

  async #text(body: string, query: string | undefined, settings: Settings): Promise<string> {
    const response = await this.#post(body, query, settings);
    return this.#read(() => response.text());
  }

  /** The answer's body; a connection lost while it arrives is a StorageFailure like any other. */
  async #read<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new AriadneError('StorageFailure', `ClickHouse at ${this.#url} failed mid-answer: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async #post(body: string | Uint8Array, query: string | undefined, settings: Settings): Promise<Response> {
    const params = new URLSearchParams();
    if (query !== undefined) params.set('query', query);
    // Buffer the whole answer server-side so that an error becomes a status code,
    // not a truncated 200 body.
    params.set('wait_end_of_query', '1');
    // A read made for a query stops at the query's deadline, in ClickHouse too (not an insert: its spans
    // were acknowledged to nobody yet, and the write path has its own answer time).
    const deadline = query === undefined ? currentQueryDeadline() : undefined;
    deadline?.check();
    const deadlineSettings =
      deadline === undefined ? {} : { max_execution_time: Math.max(1, Math.ceil(deadline.remainingMs() / 1000)) };
    for (const [name, value] of Object.entries({ ...this.#settings, ...deadlineSettings, ...settings })) {
      params.set(name, String(value));
    }
    const request = (url: string) =>
      fetch(`${url}/?${params}`, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal:
          deadline === undefined
            ? AbortSignal.timeout(this.#timeoutMs)
            : AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), AbortSignal.timeout(deadline.remainingMs())]),
      });
    let response: Response;
    let reset: unknown;
    try {
      response = await this.#reachable(async (url) => {
        try {
          return await request(url);
        } catch (error) {
          // A kept-alive connection the server closed while idle fails at once; one
          // retry on a fresh connection. (An insert sent twice is allowed: duplicates
          // are within the SpanWriter contract, and replicas deduplicate it.)
          if (!isStaleConnection(error)) throw error;
          reset = error;
          return request(url);
        }
      });
    } catch (error) {
      if (deadline?.passed()) throw deadline.error();
      // After a reset the first request may have reached ClickHouse (killed after it
      // committed an insert, say): its error is the cause, not the retry's refusal,
      // so that no caller takes the insert for surely not made (storage/spool/).
      throw new AriadneError(
        'StorageFailure',
        `ClickHouse at ${this.#urls.join(', ')} is unreachable: ${describe(error)}`,
        { cause: reset ?? error },
      );
    }
    if (!response.ok) {
      const text = await response.text();
      const code = Number(response.headers.get('x-clickhouse-exception-code') ?? /Code: (\d+)/.exec(text)?.[1]);
      if (deadline !== undefined && code === TIMEOUT_EXCEEDED) throw deadline.error();
      throw new ClickHouseError(
        code,
        text.trim().slice(0, 2000),
        code === TOO_MANY_PARTS ? 'Overloaded' : 'StorageFailure',
      );
    }
    return response;
  }

  /** The node that answered last, then each other one once, while they cannot be reached. */
  async #reachable<T>(attempt: (url: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let tried = 0; tried < this.#urls.length; tried++) {
      const index = (this.#current + tried) % this.#urls.length;
      try {
        const result = await attempt(this.#urls[index]!);
        this.#current = index;
        return result;
      } catch (error) {
        if (!isUnreachable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  get #url(): string {
    return this.#urls[this.#current]!;
  }
}

/**
 * A failure ClickHouse reported, with its error code kept for callers that map
 * it: a storage failure, or `Overloaded` when ClickHouse asks inserts to slow down.
 */
export class ClickHouseError extends AriadneError {
  constructor(
    readonly code: number,
    message: string,
    kind: 'StorageFailure' | 'Overloaded' = 'StorageFailure',
  ) {
    super(kind, `ClickHouse: ${message}`);
  }
}

function isStaleConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET';
}

/** The node is down or gone (not slow, not refusing the request): another may answer. */
function isUnreachable(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return (
    isStaleConnection(error) ||
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}
