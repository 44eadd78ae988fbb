import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { rulerTicks } from '../../trace/time-ruler.js';
import { TimelineRow } from './timeline-row.js';
import './timeline.css';

/** Must match `--row-height` in the theme: the virtualizer positions rows by it. */
export const ROW_HEIGHT = 28;

export interface TimelineProps {
  readonly tree: SpanTree;
  readonly rows: readonly SpanNode[];
  readonly collapsed: ReadonlySet<string>;
  readonly selectedId: string | undefined;
  readonly onSelect: (spanId: string) => void;
  readonly onToggle: (spanId: string) => void;
  readonly onExpandAll: () => void;
  readonly onCollapseAll: () => void;
}

/**
 * The span tree beside the time axis. Only the rows in view (plus a few) are
 * in the DOM, so a trace of 100,000 spans costs what a screenful costs.
 */
export function Timeline({
  tree,
  rows,
  collapsed,
  selectedId,
  onSelect,
  onToggle,
  onExpandAll,
  onCollapseAll,
}: TimelineProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const duration = tree.endTime - tree.startTime;
  const ticks = useMemo(() => rulerTicks(duration), [duration]);
  const getItemKey = useCallback((index: number) => rows[index]?.spanId ?? index, [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey,
    overscan: 15,
    // Until the container is measured, render a screenful rather than nothing.
    initialRect: { width: 1200, height: 800 },
  });

  useEffect(() => {
    if (selectedId === undefined) return;
    const index = rows.findIndex((node) => node.spanId === selectedId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selectedId, rows, virtualizer]);

  const hasNesting = tree.depth > 1;
  return (
    <section className="timeline" data-testid="timeline" aria-label="Timeline">
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
      <div className="timeline-body" ref={scrollRef} role="tree" aria-label="Spans" aria-multiselectable="false">
        <div className="timeline-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const node = rows[item.index] as SpanNode;
            return (
              <TimelineRow
                key={item.key}
                node={node}
                top={item.start}
                collapsed={collapsed.has(node.spanId)}
                selected={node.spanId === selectedId}
                traceStart={tree.startTime}
                traceDuration={duration}
                onSelect={onSelect}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}
