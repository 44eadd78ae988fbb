import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useFixedRows } from '../../hooks/use-fixed-rows.js';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { isSkewed } from '../../trace/clock-skew.js';
import type { CriticalSegment } from '../../trace/critical-path.js';
import { rulerTicks } from '../../trace/time-ruler.js';
import { Minimap } from './minimap.js';
import { TimelineRow } from './timeline-row.js';
import './timeline.css';

/** Must match `--row-height` in the theme: the virtualizer positions rows by it. */
export const ROW_HEIGHT = 28;

export interface TimelineProps {
  readonly tree: SpanTree;
  readonly rows: readonly SpanNode[];
  readonly collapsed: ReadonlySet<string>;
  readonly selectedId: string | undefined;
  readonly matches: ReadonlySet<string>;
  /** Span id to its critical-path segments; undefined when the path is not shown. */
  readonly critical: ReadonlyMap<string, CriticalSegment[]> | undefined;
  /** A span to bring into view and put the cursor on (find next/previous). */
  readonly focusId: string | undefined;
  readonly onSelect: (spanId: string) => void;
  readonly onToggle: (spanId: string) => void;
  readonly onExpandAll: () => void;
  readonly onCollapseAll: () => void;
}

/**
 * A span's position among the rows. With nothing collapsed the rows are the
 * tree's nodes, whose own index says it; otherwise a map is built on first
 * use, so opening a large trace does not pay for one.
 */
function rowIndexOf(tree: SpanTree, rows: readonly SpanNode[]): { get(spanId: string): number | undefined } {
  if (rows === tree.nodes) return { get: (spanId) => tree.byId.get(spanId)?.index };
  let index: Map<string, number> | undefined;
  return {
    get(spanId) {
      if (index === undefined) {
        index = new Map();
        for (let i = 0; i < rows.length; i++) index.set((rows[i] as SpanNode).spanId, i);
      }
      return index.get(spanId);
    },
  };
}

/**
 * The span tree beside the time axis. Only the rows in view (plus a few) are
 * in the DOM, so a trace of 100,000 spans costs what a screenful costs.
 * Keyboard (the list has focus): up/down move the cursor, right expands or
 * goes to the first child, left collapses or goes to the parent, Enter opens
 * the span's details, Home/End jump to the ends.
 */
export function Timeline({
  tree,
  rows,
  collapsed,
  selectedId,
  matches,
  critical,
  focusId,
  onSelect,
  onToggle,
  onExpandAll,
  onCollapseAll,
}: TimelineProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const duration = tree.endTime - tree.startTime;
  const ticks = useMemo(() => rulerTicks(duration), [duration]);
  // Every row is ROW_HEIGHT high: windowing by arithmetic, nothing kept per row (a million rows).
  const view = useFixedRows(scrollRef, rows.length, ROW_HEIGHT, 15);
  const { scrollToIndex } = view;
  const [cursorId, setCursorId] = useState<string | undefined>(selectedId ?? rows[0]?.spanId);
  const rowIndex = useMemo(() => rowIndexOf(tree, rows), [tree, rows]);

  useEffect(() => {
    if (selectedId === undefined) return;
    setCursorId(selectedId);
    const index = rowIndex.get(selectedId);
    if (index !== undefined) scrollToIndex(index, 'auto');
  }, [selectedId, rowIndex, scrollToIndex]);

  useEffect(() => {
    if (focusId === undefined) return;
    setCursorId(focusId);
    const index = rowIndex.get(focusId);
    if (index !== undefined) scrollToIndex(index, 'center');
  }, [focusId, rowIndex, scrollToIndex]);

  const moveTo = (index: number) => {
    const node = rows[Math.min(Math.max(index, 0), rows.length - 1)];
    if (node === undefined) return;
    setCursorId(node.spanId);
    scrollToIndex(node === rows[index] ? index : (rowIndex.get(node.spanId) ?? 0), 'auto');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = cursorId === undefined ? -1 : (rowIndex.get(cursorId) ?? -1);
    const node = index >= 0 ? rows[index] : undefined;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index <= 0 ? 0 : index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (node === undefined || node.children.length === 0) return;
        if (collapsed.has(node.spanId)) onToggle(node.spanId);
        else moveTo(index + 1);
        break;
      case 'ArrowLeft':
        if (node === undefined) return;
        if (node.children.length > 0 && !collapsed.has(node.spanId)) onToggle(node.spanId);
        else if (node.parent !== undefined) moveTo(rowIndex.get(node.parent.spanId) ?? index);
        break;
      case 'Enter':
      case ' ':
        if (node !== undefined) onSelect(node.spanId);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const select = useCallback(
    (spanId: string) => {
      setCursorId(spanId);
      onSelect(spanId);
    },
    [onSelect],
  );

  const drawn: number[] = [];
  for (let i = view.first; i < view.end; i++) drawn.push(i);
  const hasNesting = tree.depth > 1;
  return (
    <section className="timeline" data-testid="timeline" aria-label="Timeline">
      <Minimap
        rows={rows}
        traceStart={tree.startTime}
        traceDuration={duration}
        viewStart={view.viewFirst}
        viewEnd={view.viewEnd}
        matches={matches}
        onJump={(index) => view.scrollToOffset(index * ROW_HEIGHT)}
      />
      <div className="timeline-head">
        <div className="timeline-head-tree">
          <span>Service &amp; operation</span>
          {hasNesting && (
            <span className="timeline-head-actions">
              <button type="button" className="link-button" onClick={onExpandAll} disabled={collapsed.size === 0}>
                Expand all
              </button>
              <button type="button" className="link-button" onClick={onCollapseAll}>
                Collapse all
              </button>
            </span>
          )}
        </div>
        <div className="timeline-ruler" aria-hidden="true">
          {ticks.map((tick) => (
            <span
              key={tick.fraction}
              className="timeline-tick"
              style={{ left: `${tick.fraction * 100}%` }}
              data-edge={tick.fraction === 0 ? 'start' : tick.fraction === 1 ? 'end' : undefined}
            >
              {tick.label}
            </span>
          ))}
        </div>
      </div>
      <div
        className="timeline-body"
        ref={scrollRef}
        role="tree"
        aria-label="Spans (arrow keys move, left and right fold, Enter opens details)"
        aria-multiselectable="false"
        aria-activedescendant={cursorId === undefined ? undefined : `span-row-${cursorId}`}
        tabIndex={0}
        data-testid="timeline-body"
        onKeyDown={onKeyDown}
      >
        <div className="timeline-canvas" style={{ height: view.totalHeight }}>
          {drawn.map((index) => {
            const node = rows[index] as SpanNode;
            return (
              <TimelineRow
                key={node.spanId}
                node={node}
                top={index * ROW_HEIGHT}
                collapsed={collapsed.has(node.spanId)}
                selected={node.spanId === selectedId}
                focused={node.spanId === cursorId}
                match={matches.has(node.spanId)}
                critical={critical?.get(node.spanId)}
                skewed={isSkewed(node)}
                traceStart={tree.startTime}
                traceDuration={duration}
                onSelect={select}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}
