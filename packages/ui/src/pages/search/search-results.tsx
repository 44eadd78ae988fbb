import { useMemo, useState } from 'react';
import { sortSummaries, TRACE_ORDERS, type TraceOrder, type TraceSummary } from '../../trace/summarize-trace.js';
import { TraceResultItem } from './trace-result-item.js';

export interface SearchResultsProps {
  readonly summaries: readonly TraceSummary[];
  readonly order: TraceOrder;
  readonly onOrderChange: (order: TraceOrder) => void;
  /** The previous search's results, shown while the next one loads. */
  readonly stale: boolean;
}

export function SearchResults({ summaries, order, onOrderChange, stale }: SearchResultsProps) {
  const sorted = useMemo(() => sortSummaries(summaries, order), [summaries, order]);
  const longest = useMemo(() => summaries.reduce((max, s) => Math.max(max, s.duration), 0), [summaries]);
  // One clock for the whole list, so "2 minutes ago" agrees between rows.
  const [now] = useState(() => Date.now());
  return (
    <div className={stale ? 'search-results search-results-stale' : 'search-results'} data-testid="search-results">
      <div className="search-results-head">
        <h2>
          {summaries.length} trace{summaries.length === 1 ? '' : 's'}
        </h2>
        <label className="search-sort">
          <span className="muted">Sort</span>
          <select
            value={order}
            data-testid="search-sort"
            onChange={(event) => onOrderChange(event.target.value as TraceOrder)}
          >
            {TRACE_ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol className="trace-result-list">
        {sorted.map((summary) => (
          <li key={summary.traceId}>
            <TraceResultItem summary={summary} longestDuration={longest} nowMillis={now} />
          </li>
        ))}
      </ol>
    </div>
  );
}
