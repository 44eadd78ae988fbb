import { useMemo, useRef, useState } from 'react';
import { useFixedRows } from '../../hooks/use-fixed-rows.js';
import type { SpanTree } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { selfTimesOfRows } from '../../trace/row-self-times.js';
import type { RowSet } from '../../trace/row-set.js';
import { sortRowsBy, type TableColumn } from '../../trace/sort-rows.js';

export interface SpanTableProps {
  readonly tree: SpanTree;
  readonly selectedRow: number | undefined;
  /** Rows that find matched. */
  readonly matches: RowSet;
  readonly onSelect: (spanId: string) => void;
}

const COLUMNS: readonly { key: TableColumn; label: string; numeric: boolean }[] = [
  { key: 'service', label: 'Service', numeric: false },
  { key: 'operation', label: 'Operation', numeric: false },
  { key: 'start', label: 'Start', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'self', label: 'Self time', numeric: true },
  { key: 'error', label: 'Error', numeric: false },
];

/** Rows are this high (span-table CSS): the window is computed from it. */
const ROW_HEIGHT = 28;

/**
 * Every span as a table row, sortable by any column (click again to
 * reverse); virtualised like the timeline. The order is an array of rows
 * sorted on typed keys, and a node is made only for a row on screen, so a
 * million spans sort without a node each.
 */
export function SpanTable({ tree, selectedRow, matches, onSelect }: SpanTableProps) {
  const [sort, setSort] = useState<{ column: TableColumn; descending: boolean }>({
    column: 'duration',
    descending: true,
  });
  const selfTimes = useMemo(() => selfTimesOfRows(tree), [tree]);
  const order = useMemo(() => sortRowsBy(tree, selfTimes, sort.column, sort.descending), [tree, selfTimes, sort]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const view = useFixedRows(scrollRef, order.length, ROW_HEIGHT, 10);
  const drawn: number[] = [];
  for (let i = view.first; i < view.end; i++) drawn.push(i);

  return (
    <div className="span-table" data-testid="span-table">
      <div className="span-table-row span-table-head">
        {COLUMNS.map((column) => (
          <button
            key={column.key}
            type="button"
            className={column.numeric ? 'numeric' : undefined}
            data-testid={`span-table-sort-${column.key}`}
            data-sort={sort.column === column.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
            onClick={() =>
              setSort((s) => ({
                column: column.key,
                descending: s.column === column.key ? !s.descending : column.numeric,
              }))
            }
          >
            {column.label}
            {sort.column === column.key ? (sort.descending ? ' ▾' : ' ▴') : ''}
          </button>
        ))}
      </div>
      <div className="span-table-body" ref={scrollRef}>
        <div style={{ height: view.totalHeight, position: 'relative' }}>
          {drawn.map((index) => {
            const row = order[index] as number;
            const node = tree.nodeAt(row);
            let className = 'span-table-row';
            if (row === selectedRow) className += ' selected';
            if (matches.has(row)) className += ' match';
            return (
              <button
                type="button"
                key={node.spanId}
                className={className}
                data-testid="span-table-row"
                data-span-id={node.spanId}
                style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
                onClick={() => onSelect(node.spanId)}
              >
                <span>{node.serviceName}</span>
                <span title={node.span.operationName}>{node.span.operationName}</span>
                <span className="numeric">+{formatDuration(node.span.startTime - tree.startTime)}</span>
                <span className="numeric">{formatDuration(node.span.duration)}</span>
                <span className="numeric">{formatDuration(selfTimes[row] as number)}</span>
                <span className={node.hasError ? 'error-text' : 'faint'}>{node.hasError ? 'error' : '–'}</span>
              </button>
            );
          })}
        </div>
      </div>
    </div>
  );
}
