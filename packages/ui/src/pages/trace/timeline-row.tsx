import { memo } from 'react';
import type { SpanNode } from '../../trace/build-span-tree.js';
import type { CriticalSegment } from '../../trace/critical-path.js';
import { formatDuration } from '../../trace/format-duration.js';
import { serviceColor } from '../../trace/service-colors.js';
import { tagValueText } from '../../trace/span-tags.js';
import { barGeometry } from '../../trace/time-ruler.js';

export interface TimelineRowProps {
  readonly node: SpanNode;
  /** Pixels from the top of the canvas. */
  readonly top: number;
  readonly collapsed: boolean;
  readonly selected: boolean;
  /** The keyboard cursor is on this row. */
  readonly focused: boolean;
  /** Matches the find-in-trace query. */
  readonly match: boolean;
  /** This span's stretches of the critical path; undefined when the path is hidden or misses the span. */
  readonly critical: readonly CriticalSegment[] | undefined;
  /** Starts before or ends after its parent. */
  readonly skewed: boolean;
  readonly traceStart: number;
  readonly traceDuration: number;
  /** The span's id and its row. */
  readonly onSelect: (spanId: string, row: number) => void;
  readonly onToggle: (row: number) => void;
}

/** Indentation stops growing here, so very deep traces keep room for the names. */
const MAX_INDENT_LEVELS = 24;
const INDENT_PX = 14;
/** Event ticks drawn on one bar; more would be noise (the detail lists them all). */
const MAX_EVENT_TICKS = 20;

/**
 * One span. Constant work per row (events are capped): everything it shows is
 * on the node or computed in O(1). Memoised, so a selection or cursor move
 * re-renders only the rows whose props change.
 */
export const TimelineRow = memo(function TimelineRow({
  node,
  top,
  collapsed,
  selected,
  focused,
  match,
  critical,
  skewed,
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
  let className = 'timeline-row';
  if (selected) className += ' timeline-row-selected';
  if (focused) className += ' timeline-row-focused';
  if (match) className += ' timeline-row-match';
  if (critical !== undefined) className += ' timeline-row-critical';

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree (timeline body) takes the keys for every row (aria-activedescendant).
    <div
      className={className}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="timeline-row"
      id={`span-row-${node.spanId}`}
      data-span-id={node.spanId}
      data-match={match || undefined}
      data-critical={critical !== undefined || undefined}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? !collapsed : undefined}
      aria-selected={selected}
      tabIndex={-1}
      onClick={() => onSelect(node.spanId, node.index)}
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
            onClick={(event) => {
              event.stopPropagation();
              onToggle(node.index);
            }}
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
        {skewed && (
          <span
            className="timeline-flag"
            data-testid="skew-flag"
            title="Starts before or ends after its parent: the hosts' clocks may disagree"
          >
            skew
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
        {critical?.map((segment) => {
          const g = barGeometry(segment.start, segment.end - segment.start, traceStart, traceDuration, 0.1);
          return (
            <span
              key={segment.start}
              className="timeline-critical"
              style={{ left: `${g.left}%`, width: `${g.width}%` }}
              aria-hidden="true"
            />
          );
        })}
        {span.logs.slice(0, MAX_EVENT_TICKS).map((log, i) => {
          const left = traceDuration > 0 ? ((log.timestamp - traceStart) / traceDuration) * 100 : 0;
          const name = log.fields.find((f) => f.key === 'event');
          return (
            <span
              // biome-ignore lint/suspicious/noArrayIndexKey: events have no id and never reorder.
              key={i}
              className="timeline-event"
              data-testid="timeline-event"
              style={{ left: `${Math.min(Math.max(left, 0), 100)}%` }}
              title={`${name === undefined ? 'event' : tagValueText(name)} at +${formatDuration(log.timestamp - traceStart)}`}
            />
          );
        })}
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
