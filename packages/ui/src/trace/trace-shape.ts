/**
 * What the server's trace skeleton already says about the structure of a
 * trace's spans (`readTraceSkeleton`), so that the tree and the summaries of
 * 100,000 spans need not work it out again from ids: one entry per span of
 * `trace.spans`, which the skeleton sorts by start time, then span id.
 */
export interface TraceShape {
  /**
   * Index in `trace.spans` of the span's parent (the first span with the
   * parent's id); -1 for a span without a parent, -2 when the parent is not in
   * the trace.
   */
  readonly parents: Int32Array;
  /** 1 for a span whose id an earlier span already has (a store may keep a span twice). */
  readonly duplicate: Uint8Array;
  /** 1 for a failed span: `isErrorSpan` of the whole span, as the server applied it. */
  readonly failed: Uint8Array;
}
