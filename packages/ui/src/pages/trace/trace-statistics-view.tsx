import { useMemo, useState } from 'react';
import { ServiceChip } from '../../components/service-chip.js';
import type { SpanTree } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { type StatisticsRow, traceStatistics } from '../../trace/trace-statistics.js';

/** Where the trace's time went: spans and self time per service, or per service and operation. */
export function TraceStatisticsView({ tree }: { tree: SpanTree }) {
  const stats = useMemo(() => traceStatistics(tree), [tree]);
  const [by, setBy] = useState<'operations' | 'services'>('operations');
  const rows: readonly StatisticsRow[] = stats[by];
  return (
    <div className="trace-stats" data-testid="trace-statistics">
      <div className="trace-stats-controls">
        <label>
          <span className="muted">Group by </span>
          <select value={by} onChange={(event) => setBy(event.target.value as 'operations' | 'services')}>
            <option value="operations">Service and operation</option>
            <option value="services">Service</option>
          </select>
        </label>
      </div>
      <table className="data-table">
        <thead>
          <tr>
            <th>Service</th>
            {by === 'operations' && <th>Operation</th>}
            <th className="numeric">Spans</th>
            <th className="numeric">Errors</th>
            <th className="numeric">Total duration</th>
            <th className="numeric">Min</th>
            <th className="numeric">Max</th>
            <th className="numeric">Self time</th>
            <th className="numeric">Self %</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.serviceName}\u0000${row.operationName}`} data-testid="trace-statistics-row">
              <td>
                <ServiceChip name={row.serviceName} />
              </td>
              {by === 'operations' && <td>{row.operationName}</td>}
              <td className="numeric">{row.count}</td>
              <td className={row.errorCount > 0 ? 'numeric error-text' : 'numeric'}>{row.errorCount}</td>
              <td className="numeric">{formatDuration(row.totalDuration)}</td>
              <td className="numeric">{formatDuration(row.minDuration)}</td>
              <td className="numeric">{formatDuration(row.maxDuration)}</td>
              <td className="numeric">{formatDuration(row.totalSelfTime)}</td>
              <td className="numeric">
                <span className="share-bar" style={{ width: `${row.selfShare * 60}px` }} />
                {(row.selfShare * 100).toFixed(1)}%
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
