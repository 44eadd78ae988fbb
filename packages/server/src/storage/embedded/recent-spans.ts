import type { Span } from '@ariadne/protocol';
import { BoundedHashTable } from './bounded-hash-table.js';
import { hashSpanContent, SPAN_HASH } from './span-hash.js';

/**
 * The write-time dedupe: content hashes (`hashSpanContent`: ids and every
 * field) of the last `window` spans the store took, at least, and at most
 * twice as many (`BoundedHashTable`: 16 bytes a span at most, 16 MB for the
 * default window of 500,000). A span equal to one of them is a client's
 * retry (or a copy within one batch) and is not stored again.
 */
export class RecentSpans {
  readonly #hashes: BoundedHashTable;

  constructor(window: number) {
    this.#hashes = new BoundedHashTable(window, []);
  }

  /**
   * The spans of the batch not taken before (nor earlier in the batch), in
   * order; they are remembered as taken. The batch itself when none repeats.
   */
  admit(spans: readonly Span[]): readonly Span[] {
    let kept: Span[] | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      hashSpanContent(span);
      const a = SPAN_HASH[0]!;
      const b = SPAN_HASH[1]!;
      if (this.#hashes.find(a, b) === -1) {
        this.#hashes.add(a, b);
        kept?.push(span);
      } else kept ??= spans.slice(0, i);
    }
    return kept ?? spans;
  }
}
