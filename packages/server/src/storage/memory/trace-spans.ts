import type { Span } from '@ariadne/protocol';
import { spanContentKey } from '../query/dedupe-spans.js';

/**
 * The spans of one trace as the memory store keeps them: a span equal in id
 * and content to one already kept is not kept again (a client that retried a
 * batch), so it is counted once by every search, aggregate and catalog.
 * Spans that share an id but differ (the halves of a Zipkin RPC, a span
 * re-sent with new attributes) are all kept, as `dedupeSpans` keeps them.
 *
 * One Map lookup per span when its id is new; a span's content is turned
 * into text only when its id was seen before in this trace.
 */
export class TraceSpans {
  readonly spans: Span[] = [];
  /** The first span kept under each id. */
  readonly #firstById = new Map<string, Span>();
  /** Content keys of the spans kept under each id seen more than once. */
  #contents: Map<string, Set<string>> | undefined;

  /** Keeps the span unless an equal one is kept; true when it was kept. */
  add(span: Span): boolean {
    const first = this.#firstById.get(span.spanId);
    if (first === undefined) {
      this.#firstById.set(span.spanId, span);
      this.spans.push(span);
      return true;
    }
    this.#contents ??= new Map();
    let contents = this.#contents.get(span.spanId);
    if (contents === undefined) {
      contents = new Set([spanContentKey(first)]);
      this.#contents.set(span.spanId, contents);
    }
    const key = spanContentKey(span);
    if (contents.has(key)) return false;
    contents.add(key);
    this.spans.push(span);
    return true;
  }
}
