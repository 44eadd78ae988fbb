import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useFixedRows } from '../../hooks/use-fixed-rows.js';
import type { SpanTree } from '../../trace/build-span-tree.js';
import { isSkewed } from '../../trace/clock-skew.js';
import type { CriticalSegment } from '../../trace/critical-path.js';
import type { RowSet } from '../../trace/row-set.js';
import { rulerTicks } from '../../trace/time-ruler.js';
import type { CollapsedRows, VisibleRows } from '../../trace/visible-rows.js';
import { Minimap } from './minimap.js';
import { TimelineRow } from './timeline-row.js';
import './timeline.css';

/** Must match `--row-height` in the theme: the virtualizer positions rows by it. */
export const ROW_HEIGHT = 28;

export interface TimelineProps {
  readonly tree: SpanTree;
  readonly rows: VisibleRows;
  readonly collapsed: CollapsedRows;
  /** Rows are the tree's (`SpanTree.nodeAt`), whether shown or not. */
  readonly selectedRow: number | undefined;
  readonly matches: RowSet;
  /** Span id to its critical-path segments; undefined when the path is not shown. */
  readonly critical: ReadonlyMap<string, CriticalSegment[]> | undefined;
  /** A row to bring into view and put the cursor on (find next/previous). */
  readonly focusRow: number | undefined;
  readonly onSelect: (spanId: string) => void;
  readonly onToggle: (row: number) => void;
  readonly onExpandAll: () => void;
  readonly onCollapseAll: () => void;
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
  selectedRow,
  matches,
  critical,
  focusRow,
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
  // The cursor is a tree row; where it is on screen is `rows.positionOf` (-1 when folded away).
  const [cursorRow, setCursorRow] = useState<number | undefined>(
    selectedRow ?? (rows.length > 0 ? rows.at(0) : undefined),
  );

  useEffect(() => {
    if (selectedRow === undefined) return;
    setCursorRow(selectedRow);
    const index = rows.positionOf(selectedRow);
    if (index >= 0) scrollToIndex(index, 'auto');
  }, [selectedRow, rows, scrollToIndex]);

  useEffect(() => {
    if (focusRow === undefined) return;
    setCursorRow(focusRow);
    const index = rows.positionOf(focusRow);
    if (index >= 0) scrollToIndex(index, 'center');
  }, [focusRow, rows, scrollToIndex]);

  const moveTo = (index: number) => {
    if (rows.length === 0) return;
    const position = Math.min(Math.max(index, 0), rows.length - 1);
    setCursorRow(rows.at(position));
    scrollToIndex(position, 'auto');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = cursorRow === undefined ? -1 : rows.positionOf(cursorRow);
    const node = index >= 0 ? tree.nodeAt(rows.at(index)) : undefined;
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
        if (collapsed.has(node.index)) onToggle(node.index);
        else moveTo(index + 1);
        break;
      case 'ArrowLeft': {
        if (node === undefined) return;
        const parent = tree.rows.parent[node.index] as number;
        if (node.children.length > 0 && !collapsed.has(node.index)) onToggle(node.index);
        else if (parent >= 0) {
          const at = rows.positionOf(parent);
          moveTo(at >= 0 ? at : index);
        }
        break;
      }
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
    (spanId: string, row: number) => {
      setCursorRow(row);
      onSelect(spanId);
    },
    [onSelect],
  );
  const cursorId = cursorRow === undefined || cursorRow >= tree.size ? undefined : tree.nodeAt(cursorRow).spanId;

  const drawn: number[] = [];
  for (let i = view.first; i < view.end; i++) drawn.push(i);
  const hasNesting = tree.depth > 1;
  return (
    <section className="timeline" data-testid="timeline" aria-label="Timeline">
      <Minimap
        tree={tree}
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
            const row = rows.at(index);
            const node = tree.nodeAt(row);
            return (
              <TimelineRow
                key={row}
                node={node}
                top={index * ROW_HEIGHT}
                collapsed={collapsed.has(row)}
                selected={row === selectedRow}
                focused={row === cursorRow}
                match={matches.has(row)}
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
