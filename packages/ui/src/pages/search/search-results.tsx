import { lazy, Suspense, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { TimeZoneChoice } from '../../search/time-zone.js';
import { sortSummaries, TRACE_ORDERS, type TraceOrder, type TraceSummary } from '../../trace/summarize-trace.js';

// uPlot loads with the first results, not with the app.
const ResultsScatter = lazy(() => import('./results-scatter.js').then((m) => ({ default: m.ResultsScatter })));

import { TraceResultItem } from './trace-result-item.js';

export interface SearchResultsProps {
  readonly summaries: readonly TraceSummary[];
  readonly order: TraceOrder;
  readonly onOrderChange: (order: TraceOrder) => void;
  /** The previous search's results, shown while the next one loads. */
  readonly stale: boolean;
  readonly zone?: TimeZoneChoice;
}

export function SearchResults({ summaries, order, onOrderChange, stale, zone = 'local' }: SearchResultsProps) {
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const choose = (traceId: string, on: boolean) =>
    setChosen((list) => (on ? [...list.filter((id) => id !== traceId), traceId] : list.filter((id) => id !== traceId)));
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
      <Suspense fallback={<div className="results-scatter" style={{ height: 178 }} />}>
        <ResultsScatter summaries={summaries} />
      </Suspense>
      <div className="compare-bar">
        <button
          type="button"
          className="button"
          data-testid="compare-selected"
          disabled={chosen.length !== 2}
          onClick={() => navigate(`/compare?a=${chosen[0]}&b=${chosen[1]}`)}
        >
          Compare selected
        </button>
        <span className="muted">
          {chosen.length === 2 ? 'Ready to compare.' : `Tick two traces to compare them (${chosen.length} ticked).`}
        </span>
      </div>
      <ol className="trace-result-list">
        {sorted.map((summary) => (
          <li key={summary.traceId}>
            <input
              type="checkbox"
              className="trace-result-select"
              aria-label={`Select trace ${summary.traceId} to compare`}
              data-testid="trace-result-select"
              data-trace-id={summary.traceId}
              checked={chosen.includes(summary.traceId)}
              onChange={(event) => choose(summary.traceId, event.target.checked)}
            />
            <TraceResultItem summary={summary} longestDuration={longest} nowMillis={now} zone={zone} />
          </li>
        ))}
      </ol>
    </div>
  );
}
