import { type KeyboardEvent, type MouseEvent, memo } from 'react';
import type { SpanNode } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { serviceColor } from '../../trace/service-colors.js';
import { barGeometry } from '../../trace/time-ruler.js';

export interface TimelineRowProps {
  readonly node: SpanNode;
  /** Pixels from the top of the canvas. */
  readonly top: number;
  readonly collapsed: boolean;
  readonly selected: boolean;
  readonly traceStart: number;
  readonly traceDuration: number;
  readonly onSelect: (spanId: string) => void;
  readonly onToggle: (spanId: string) => void;
}

/** Indentation stops growing here, so very deep traces keep room for the names. */
const MAX_INDENT_LEVELS = 24;
const INDENT_PX = 14;

/** One span. Constant work per row: everything it shows is on the node or computed in O(1). */
export const TimelineRow = memo(function TimelineRow({
  node,
  top,
  collapsed,
  selected,
  traceStart,
  traceDuration,
  onSelect,
  onToggle,
}: TimelineRowProps) {
  const { span } = node;
  const hasChildren = node.children.length > 0;
  const bar = barGeometry(span.startTime, span.duration, traceStart, traceDuration);
  const labelBefore = bar.left + bar.width > 75;
  const color = serviceColor(node.serviceName);

  const toggle = (event: MouseEvent) => {
    event.stopPropagation();
    onToggle(node.spanId);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    switch (event.key) {
      case 'Enter':
      case ' ':
        event.preventDefault();
        onSelect(node.spanId);
        break;
      case 'ArrowRight':
        if (hasChildren && collapsed) onToggle(node.spanId);
        break;
      case 'ArrowLeft':
        if (hasChildren && !collapsed) onToggle(node.spanId);
        break;
      case 'ArrowDown':
        event.preventDefault();
        (event.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
        break;
      case 'ArrowUp':
        event.preventDefault();
        (event.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
        break;
    }
  };

  return (
    <div
      className={selected ? 'timeline-row timeline-row-selected' : 'timeline-row'}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="timeline-row"
      data-span-id={node.spanId}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? !collapsed : undefined}
      aria-selected={selected}
      tabIndex={0}
      onClick={() => onSelect(node.spanId)}
      onKeyDown={onKeyDown}
    >
      <div
        className="timeline-cell-tree"
        style={{ paddingLeft: 8 + Math.min(node.depth, MAX_INDENT_LEVELS) * INDENT_PX }}
      >
        {hasChildren ? (
          <button
            type="button"
            className="timeline-toggle"
            data-testid="timeline-toggle"
            tabIndex={-1}
            aria-label={collapsed ? `Expand ${node.descendantCount} spans` : 'Collapse'}
            onClick={toggle}
          >
            <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" className={collapsed ? '' : 'open'}>
              <path d="M3 1.5 7 5 3 8.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
            </svg>
          </button>
        ) : (
          <span className="timeline-toggle-spacer" />
        )}
        <span className="timeline-service-mark" style={{ background: color }} aria-hidden="true" />
        <span className="timeline-names" title={`${node.serviceName}: ${span.operationName}`}>
          <span className="timeline-service">{node.serviceName}</span>
          <span className="timeline-operation">{span.operationName}</span>
        </span>
        {collapsed && <span className="timeline-hidden-count">+{node.descendantCount}</span>}
        {node.orphan && (
          <span className="timeline-flag" title="Parent span missing from the trace">
            ⤒
          </span>
        )}
        {node.hasError && (
          <span className="timeline-error" title="Error" role="img" aria-label="error">
            !
          </span>
        )}
      </div>
      <div className="timeline-cell-bar">
        <span
          className={node.hasError ? 'timeline-bar timeline-bar-error' : 'timeline-bar'}
          style={{ left: `${bar.left}%`, width: `${bar.width}%`, background: color }}
        />
        <span
          className="timeline-bar-label"
          style={
            labelBefore ? { right: `${100 - bar.left}%`, textAlign: 'right' } : { left: `${bar.left + bar.width}%` }
          }
        >
          {formatDuration(span.duration)}
        </span>
      </div>
    </div>
  );
});
