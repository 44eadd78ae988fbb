import { useMemo, useRef, useState } from 'react';
import { useFixedRows } from '../../hooks/use-fixed-rows.js';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { selfTime } from '../../trace/self-time.js';

export interface SpanTableProps {
  readonly tree: SpanTree;
  readonly selectedId: string | undefined;
  readonly matches: ReadonlySet<string>;
  readonly onSelect: (spanId: string) => void;
}

type Column = 'service' | 'operation' | 'start' | 'duration' | 'self' | 'error';

const COLUMNS: readonly { key: Column; label: string; numeric: boolean }[] = [
  { key: 'service', label: 'Service', numeric: false },
  { key: 'operation', label: 'Operation', numeric: false },
  { key: 'start', label: 'Start', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'self', label: 'Self time', numeric: true },
  { key: 'error', label: 'Error', numeric: false },
];

interface Row {
  readonly node: SpanNode;
  readonly self: number;
}

/** Rows are this high (span-table CSS): the window is computed from it. */
const ROW_HEIGHT = 28;

/** Every span as a table row, sortable by any column (click again to reverse); virtualised like the timeline. */
export function SpanTable({ tree, selectedId, matches, onSelect }: SpanTableProps) {
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: 'duration', descending: true });
  const base = useMemo(() => tree.nodes.map((node): Row => ({ node, self: selfTime(node) })), [tree]);
  const rows = useMemo(() => {
    const value = (row: Row): number | string => {
      switch (sort.column) {
        case 'service':
          return row.node.serviceName;
        case 'operation':
          return row.node.span.operationName;
        case 'start':
          return row.node.span.startTime;
        case 'duration':
          return row.node.span.duration;
        case 'self':
          return row.self;
        case 'error':
          return row.node.hasError ? 1 : 0;
      }
    };
    const sign = sort.descending ? -1 : 1;
    return [...base].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      return (va < vb ? -1 : va > vb ? 1 : a.node.index - b.node.index) * sign;
    });
  }, [base, sort]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const view = useFixedRows(scrollRef, rows.length, ROW_HEIGHT, 10);
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
            const row = rows[index] as Row;
            const { node } = row;
            let className = 'span-table-row';
            if (node.spanId === selectedId) className += ' selected';
            if (matches.has(node.spanId)) className += ' match';
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
                <span className="numeric">{formatDuration(row.self)}</span>
                <span className={node.hasError ? 'error-text' : 'faint'}>{node.hasError ? 'error' : '–'}</span>
              </button>
            );
          })}
        </div>
      </div>
    </div>
  );
}
