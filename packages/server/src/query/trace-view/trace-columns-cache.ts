/**
 * The trace view's answers for the large traces opened last, kept as bytes
 * with the version of the trace they were built from (`TraceVersionReader`):
 * opening a 1,000,000-span trace again (a second tab, a reload) costs a
 * version look-up instead of reading, sorting and encoding the trace. Least
 * recently used entries go first once the entries hold more than `maxBytes`;
 * answers of fewer than `minSpans` spans are cheap to build and not kept.
 * One cache per tenant's API: a tenant's key never reaches another's entries.
 */
export class TraceColumnsCache {
  readonly #entries = new Map<string, { version: string; body: Uint8Array }>();
  #bytes = 0;

  constructor(
    readonly maxBytes: number,
    readonly minSpans: number,
  ) {}

  /** The answer kept for this version of the trace; an entry of another version is dropped. */
  get(traceId: string, version: string): Uint8Array | undefined {
    const entry = this.#entries.get(traceId);
    if (entry === undefined) return undefined;
    this.#drop(traceId);
    if (entry.version !== version) return undefined;
    this.#keep(traceId, entry); // most recently used last
    return entry.body;
  }

  set(traceId: string, version: string, spanCount: number, body: Uint8Array): void {
    if (spanCount < this.minSpans || body.byteLength > this.maxBytes) return;
    this.#drop(traceId);
    this.#keep(traceId, { version, body });
    for (const id of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#drop(id);
    }
  }

  /** Bytes held by the entries. */
  get byteCount(): number {
    return this.#bytes;
  }

  #keep(traceId: string, entry: { version: string; body: Uint8Array }): void {
    this.#entries.set(traceId, entry);
    this.#bytes += entry.body.byteLength;
  }

  #drop(traceId: string): void {
    const entry = this.#entries.get(traceId);
    if (entry === undefined) return;
    this.#entries.delete(traceId);
    this.#bytes -= entry.body.byteLength;
  }
}
