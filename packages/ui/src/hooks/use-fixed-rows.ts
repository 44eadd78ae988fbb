import { type RefObject, useCallback, useEffect, useMemo, useState } from 'react';

/** Rows in view of a list whose rows all have one height (`useFixedRows`). */
export interface FixedRows {
  /** First row to draw, and the row after the last (the rows in view and `overscan` more each side). */
  readonly first: number;
  readonly end: number;
  /** The first row at least partly in view, and the row after the last. */
  readonly viewFirst: number;
  readonly viewEnd: number;
  readonly totalHeight: number;
  /** Scrolls so the row is in view: as little as needed (`auto`), or centred. */
  scrollToIndex(index: number, align: 'auto' | 'center'): void;
  scrollToOffset(pixels: number): void;
}

/**
 * Windowing for a scrolled list of `count` rows of `rowHeight` pixels: a
 * row's place is its index times the height, so nothing is kept per row (a
 * general virtualizer keeps a measurement object per row: for a million rows,
 * tens of megabytes, rebuilt whenever the count changes) and a scroll costs
 * the same at any count. The component re-renders only when the first row in
 * view or the viewport's height changes.
 */
export function useFixedRows(
  scrollRef: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan: number,
  initialHeight = 800,
): FixedRows {
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(initialHeight);
  useEffect(() => {
    const element = scrollRef.current;
    if (element === null) return;
    const onScroll = () => setTop(Math.floor(element.scrollTop / rowHeight));
    const measure = () => {
      if (element.clientHeight > 0) setHeight(element.clientHeight);
      onScroll();
    };
    measure();
    element.addEventListener('scroll', onScroll, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    observer?.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer?.disconnect();
    };
  }, [scrollRef, rowHeight]);

  const scrollToOffset = useCallback(
    (pixels: number) => {
      const element = scrollRef.current;
      if (element !== null) element.scrollTop = pixels;
    },
    [scrollRef],
  );
  const scrollToIndex = useCallback(
    (index: number, align: 'auto' | 'center') => {
      const element = scrollRef.current;
      if (element === null) return;
      const rowTop = index * rowHeight;
      const viewport = element.clientHeight;
      if (align === 'center') element.scrollTop = Math.max(0, rowTop - (viewport - rowHeight) / 2);
      else if (rowTop < element.scrollTop) element.scrollTop = rowTop;
      else if (rowTop + rowHeight > element.scrollTop + viewport) element.scrollTop = rowTop + rowHeight - viewport;
    },
    [scrollRef, rowHeight],
  );

  return useMemo(
    () => ({ ...fixedRowWindow(top, height, count, rowHeight, overscan), scrollToIndex, scrollToOffset }),
    [top, height, count, rowHeight, overscan, scrollToIndex, scrollToOffset],
  );
}

/** The rows to draw when row `top` is the first in view of a viewport `height` pixels high. */
export function fixedRowWindow(
  top: number,
  height: number,
  count: number,
  rowHeight: number,
  overscan: number,
): Pick<FixedRows, 'first' | 'end' | 'viewFirst' | 'viewEnd' | 'totalHeight'> {
  const viewFirst = Math.max(0, Math.min(top, count - 1));
  const viewEnd = Math.min(count, viewFirst + Math.ceil(height / rowHeight) + 1);
  return {
    first: Math.max(0, viewFirst - overscan),
    end: Math.min(count, viewEnd + overscan),
    viewFirst,
    viewEnd,
    totalHeight: count * rowHeight,
  };
}
