import type { TraceOutline } from '../../query/trace-view/trace-outline.js';

/**
 * Outlines of the large traces opened last, so that opening one again (a
 * reload, the back button, a shared link, the compare page) does not read
 * and skim it again: for 100,000 spans that is most of the server's work.
 *
 * An entry is valid for a version of the trace that the store computes from
 * how many spans of it it holds and how many times retention has deleted
 * blocks: the spans of a trace are only ever added (a write), moved from a
 * head into a block (a cut: same spans) or deleted with a whole block
 * (retention), so between two retention runs a trace with the same number of
 * spans has the same spans. Least recently used entries go first once the
 * entries hold more than `maxSpans` spans; traces of fewer than `minSpans`
 * spans are cheap to read and not kept.
 */
export class OutlineCache {
  readonly #entries = new Map<string, { version: string; outline: TraceOutline }>();
  #spans = 0;

  constructor(
    readonly maxSpans: number,
    readonly minSpans: number,
  ) {}

  get(traceId: string, version: string): TraceOutline | undefined {
    const entry = this.#entries.get(traceId);
    if (entry === undefined) return undefined;
    this.#entries.delete(traceId);
    if (entry.version !== version) {
      this.#spans -= entry.outline.spanIds.length;
      return undefined;
    }
    // Most recently used last.
    this.#entries.set(traceId, entry);
    return entry.outline;
  }

  set(traceId: string, version: string, outline: TraceOutline): void {
    const spans = outline.spanIds.length;
    if (spans < this.minSpans || spans > this.maxSpans) return;
    const old = this.#entries.get(traceId);
    if (old !== undefined) {
      this.#entries.delete(traceId);
      this.#spans -= old.outline.spanIds.length;
    }
    this.#entries.set(traceId, { version, outline });
    this.#spans += spans;
    for (const [id, entry] of this.#entries) {
      if (this.#spans <= this.maxSpans) break;
      this.#entries.delete(id);
      this.#spans -= entry.outline.spanIds.length;
    }
  }

  /** Spans held by the entries. */
  get spanCount(): number {
    return this.#spans;
  }
}
