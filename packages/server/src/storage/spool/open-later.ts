import type { SpanStore } from '../span-store.js';
import { StoreNotOpenError } from './store-not-open-error.js';
import { isAuthenticationFailure, isStoreUnavailable } from './store-unavailable.js';

export interface OpenLaterOptions {
  /** Wait between attempts to open. Default 2 s. */
  readonly retryMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * A store that opens when it can: `open` is tried at once, and when it
 * fails because the store is away (`isStoreUnavailable`: ClickHouse down,
 * ZooKeeper lost during the schema's DDL), the store is handed out anyway
 * and `open` is retried in the background. Until it succeeds, each of
 * `methods` rejects with `StoreNotOpenError`, so that a collector restarted
 * during an outage starts, spools and replays. Failures of another kind
 * (credentials refused, a bad schema) reject at once, as before.
 *
 * Capabilities are known by `methods` until the store opens, and by the store
 * itself afterwards; the list must name every method the store has (a test
 * compares it with a real store).
 */
export async function openLater<S extends SpanStore>(
  open: () => Promise<S>,
  methods: readonly (keyof S & string)[],
  options: OpenLaterOptions = {},
): Promise<S> {
  let firstError: unknown;
  try {
    return await open();
  } catch (error) {
    if (!isStoreUnavailable(error) || isAuthenticationFailure(error)) throw error;
    firstError = error;
  }
  options.log?.(`store: cannot open yet, retrying in the background: ${describe(firstError)}`);
  let inner: S | undefined;
  let lastError = firstError;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> = Promise.resolve();
  const retry = () => {
    timer = setTimeout(() => {
      attempt = open().then(
        (store) => {
          if (closed) return store.close();
          inner = store;
          options.log?.('store: opened');
        },
        (error: unknown) => {
          lastError = error;
          if (!closed) retry();
        },
      );
    }, options.retryMs ?? 2_000);
  };
  retry();
  const before: Record<string, unknown> = {};
  for (const method of methods) {
    before[method] = () => Promise.reject(new StoreNotOpenError(lastError));
  }
  before.close = async () => {
    closed = true;
    clearTimeout(timer);
    await attempt;
    await inner?.close();
  };
  return new Proxy(before, {
    get(target, property) {
      if (property === 'close') return target.close;
      if (inner !== undefined) {
        const value = Reflect.get(inner, property, inner);
        return typeof value === 'function' ? value.bind(inner) : value;
      }
      return Reflect.get(target, property);
    },
    has: (target, property) => (inner !== undefined ? Reflect.has(inner, property) : Reflect.has(target, property)),
  }) as unknown as S;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
