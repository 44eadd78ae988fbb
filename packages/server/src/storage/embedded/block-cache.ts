/** What a loader returns: the value and about how many bytes of memory it holds. */
export interface Sized<T> {
  readonly value: T;
  readonly bytes: number;
}

/** 64 MiB: the metadata and trace indexes of about a thousand blocks of 50,000 spans, or a few dictionaries. */
export const DEFAULT_BLOCK_CACHE_BYTES = 64 * 1024 * 1024;

interface Entry {
  readonly owner: number;
  readonly value: unknown;
  readonly bytes: number;
}

/**
 * What the blocks of a store read on demand (their metadata, trace indexes,
 * aggregates, dictionaries, page times), in one cache bounded by bytes, least
 * recently used out first. Blocks pile up as long as retention keeps them, so
 * what each keeps for itself must stay small: this is where the rest lives,
 * and the hot blocks stay fast.
 *
 * The bound counts what the cache holds: a value a read is using stays alive
 * until that read ends, evicted or not. A value larger than the bound is
 * handed to its reader and not kept; with a bound of 0 every read loads.
 * Loads of the same entry at the same time share one load.
 */
export class BlockCache {
  /** Least recently used first (a Map keeps insertion order; a hit moves its entry to the end). */
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, { owner: number; promise: Promise<unknown> }>();
  #bytes = 0;
  #nextOwner = 1;
  /** Loads started (misses), for tests and measurements. */
  loads = 0;

  constructor(readonly maxBytes = DEFAULT_BLOCK_CACHE_BYTES) {
    if (!(maxBytes >= 0)) throw new RangeError('the block cache needs a size of at least 0 bytes');
  }

  /** A new owner (one per open block): its entries are named by it and dropped with it. */
  newOwner(): number {
    return this.#nextOwner++;
  }

  /** The owner's value of this kind, loaded (once, however many ask meanwhile) when the cache does not hold it. */
  get<T>(owner: number, kind: string, load: () => Promise<Sized<T>>): Promise<T> {
    const key = `${owner}:${kind}`;
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return Promise.resolve(entry.value as T);
    }
    const loading = this.#loading.get(key);
    if (loading !== undefined) return loading.promise as Promise<T>;
    this.loads++;
    const promise: Promise<T> = load().then(
      ({ value, bytes }) => {
        // Not kept when the owner was dropped meanwhile (its block closed).
        if (this.#loading.get(key)?.promise === promise) {
          this.#loading.delete(key);
          this.#keep(owner, key, value, bytes);
        }
        return value;
      },
      (error: unknown) => {
        if (this.#loading.get(key)?.promise === promise) this.#loading.delete(key);
        throw error;
      },
    );
    this.#loading.set(key, { owner, promise });
    return promise;
  }

  /** The owner's value of this kind when the cache holds it, counted as a use (a read that needs no load). */
  hit<T>(owner: number, kind: string): T | undefined {
    const key = `${owner}:${kind}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value as T;
  }

  /** The owner's value of this kind when the cache holds it (not counted as a use). */
  peek<T>(owner: number, kind: string): T | undefined {
    return this.#entries.get(`${owner}:${kind}`)?.value as T | undefined;
  }

  /** Forgets every entry of the owner, and the loads in flight for it. */
  drop(owner: number): void {
    for (const [key, entry] of this.#entries) if (entry.owner === owner) this.#remove(key);
    for (const [key, loading] of this.#loading) if (loading.owner === owner) this.#loading.delete(key);
  }

  /** Bytes the entries hold, by their loaders' estimates. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  #keep(owner: number, key: string, value: unknown, bytes: number): void {
    this.#remove(key);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { owner, value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
