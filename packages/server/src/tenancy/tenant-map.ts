import { AriadneError } from '@ariadne/protocol';
import type { TenantId } from './tenant-id.js';

export interface TenantMapOptions<T> {
  /** Makes the tenant's value (opens its store, builds its API); called once per tenant. */
  readonly create: (tenant: TenantId) => Promise<T> | T;
  /** Releases a value at `close`. */
  readonly release?: (value: T) => Promise<void> | void;
  /** Most tenants held at once; a new tenant past it is refused with `Overloaded`. */
  readonly maxTenants: number;
}

/**
 * What a process keeps per tenant (a store, an API, an adaptive sampler),
 * made on the tenant's first request and kept until `close`. Concurrent
 * first requests share one `create`; a `create` that fails is forgotten, so
 * the next request tries again. The bound keeps a stream of made-up tenant
 * ids from opening stores without end: past it, new tenants are refused
 * (known ones go on) until the server is restarted with a higher bound.
 */
export class TenantMap<T> {
  readonly #values = new Map<TenantId, Promise<T>>();
  readonly #created = new Map<TenantId, T>();
  #closed = false;

  constructor(private readonly options: TenantMapOptions<T>) {}

  /** The tenant's value, made now if this is its first request. */
  get(tenant: TenantId): Promise<T> {
    const known = this.#values.get(tenant);
    if (known !== undefined) return known;
    if (this.#closed) return Promise.reject(new AriadneError('Overloaded', 'the server is shutting down'));
    if (this.#values.size >= this.options.maxTenants) {
      return Promise.reject(
        new AriadneError(
          'Overloaded',
          `this server already serves ${this.options.maxTenants} tenants, its limit (--max-tenants); tenant "${tenant}" is not taken`,
        ),
      );
    }
    const made = (async () => this.options.create(tenant))();
    this.#values.set(tenant, made);
    made.then(
      (value) => {
        if (this.#values.get(tenant) === made) this.#created.set(tenant, value);
      },
      () => {
        if (this.#values.get(tenant) === made) this.#values.delete(tenant);
      },
    );
    return made;
  }

  /** The tenant's value if it is made already; never makes one. */
  peek(tenant: TenantId): T | undefined {
    return this.#created.get(tenant);
  }

  /** Tenants whose value is made. */
  tenants(): TenantId[] {
    return [...this.#created.keys()];
  }

  /** Refuses new tenants, waits for values being made, and releases every value. */
  async close(): Promise<void> {
    this.#closed = true;
    const settled = await Promise.allSettled([...this.#values.values()]);
    this.#values.clear();
    this.#created.clear();
    const release = this.options.release;
    if (release === undefined) return;
    for (const result of settled) if (result.status === 'fulfilled') await release(result.value);
  }
}
