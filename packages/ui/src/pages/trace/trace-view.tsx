import type { JaegerTrace } from '@ariadne/protocol';
import { lazy, Suspense, useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useApiClient } from '../../hooks/api-client-context.js';
import { useFindInTrace } from '../../hooks/use-find-in-trace.js';
import { buildSpanTree } from '../../trace/build-span-tree.js';
import { type CriticalSegment, criticalPath } from '../../trace/critical-path.js';
import { RowSet, rowsOfSpanIds } from '../../trace/row-set.js';
import { searchSpanNames } from '../../trace/search-span-names.js';
import { searchSpans } from '../../trace/search-spans.js';
import { serviceCalls } from '../../trace/service-calls.js';
import type { SpanColumns } from '../../trace/span-columns.js';
import {
  collapseAll as collapseEvery,
  NOTHING_COLLAPSED,
  revealRow,
  toggleCollapsed,
  visibleRows,
} from '../../trace/visible-rows.js';
import { downloadTrace } from './download.js';
import { FlameGraph } from './flame-graph.js';
import { SpanDetail } from './span-detail.js';
import { SpanTable } from './span-table.js';
import { Timeline } from './timeline.js';
import { TraceHeader } from './trace-header.js';
import { TraceStatisticsView } from './trace-statistics-view.js';

// dagre loads when the graph is first shown.
const ServiceGraph = lazy(() => import('../../components/service-graph.js').then((m) => ({ default: m.ServiceGraph })));

const SERVER_FIND_DELAY_MS = 250;

export type TraceViewKind = 'timeline' | 'flame' | 'table' | 'stats' | 'graph';

const VIEWS: readonly { value: TraceViewKind; label: string }[] = [
  { value: 'timeline', label: 'Timeline' },
  { value: 'flame', label: 'Flame graph' },
  { value: 'table', label: 'Spans table' },
  { value: 'stats', label: 'Statistics' },
  { value: 'graph', label: 'Service graph' },
];

/**
 * A loaded trace. The tree (and the critical path, skew, statistics) is built
 * once per trace; a collapse or a selection only recomputes the visible rows
 * (O(visible rows)) and re-renders the rows whose props change. The selected
 * span and the view are in the URL (`?span=`, `?view=`), so they can be shared.
 * A `partial` trace is the server's skeleton (spans without attributes, see
 * `readTraceSkeleton`): everything but a span's details, find-in-trace and
 * downloads works from it as it is; those three ask the server (find shows
 * the matches in the names it holds at once, the server's as they come). Its
 * `columns` are what the tree, the header and find read: a row's node (and
 * its span) is made when the row is drawn, so a million spans open without a
 * million objects, and folds, find and the minimap work on typed arrays.
 */
export function TraceView({
  trace,
  partial = false,
  columns,
}: {
  trace: JaegerTrace;
  partial?: boolean;
  columns?: SpanColumns | undefined;
}) {
  const client = useApiClient();
  const tree = useMemo(() => buildSpanTree(trace, columns), [trace, columns]);
  const [collapsed, setCollapsed] = useState(NOTHING_COLLAPSED);
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('span') ?? undefined;
  const selectedRow = useMemo(
    () => (selectedId === undefined ? undefined : tree.rowOf(selectedId)),
    [tree, selectedId],
  );
  const selected = selectedRow === undefined ? undefined : tree.nodeAt(selectedRow);
  const view = (VIEWS.find((v) => v.value === params.get('view'))?.value ?? 'timeline') as TraceViewKind;

  const [showCritical, setShowCritical] = useState(false);
  const critical = useMemo(() => {
    if (!showCritical) return undefined;
    const bySpan = new Map<string, CriticalSegment[]>();
    const path = criticalPath(tree);
    for (const id of path.spanIds) bySpan.set(id, []);
    for (const segment of path.segments) bySpan.get(segment.spanId)?.push(segment);
    return bySpan;
  }, [tree, showCritical]);

  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  // A partial trace has no attributes to search: the server searches the whole one, once the
  // typing pauses (a search of 100,000 spans takes a while; one per keystroke would queue up).
  const [serverQuery, setServerQuery] = useState('');
  useEffect(() => {
    if (!partial) return;
    const timer = setTimeout(() => setServerQuery(query.trim()), SERVER_FIND_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, partial]);
  const found = useFindInTrace(trace.traceID, serverQuery, partial);
  // A partial trace still holds every span's service, operation and id: those are searched here at
  // once, and what the server finds in the rest (attributes, events) joins them when it answers.
  const localMatches = useMemo(
    () =>
      deferredQuery.trim() === ''
        ? RowSet.EMPTY
        : partial
          ? searchSpanNames(tree, deferredQuery)
          : rowsOfSpanIds(tree, searchSpans(tree, deferredQuery)),
    [tree, deferredQuery, partial],
  );
  const serverIds = query.trim() === '' || serverQuery !== query.trim() ? undefined : found.data;
  const serverMatches = useMemo(
    () => (serverIds === undefined ? RowSet.EMPTY : rowsOfSpanIds(tree, serverIds)),
    [tree, serverIds],
  );
  const matches = useMemo(() => localMatches.union(serverMatches), [localMatches, serverMatches]);
  const searching = partial && query.trim() !== '' && (found.isFetching || serverQuery !== query.trim());
  // The server gave up (a million spans past its query timeout): the names' matches are all there is.
  const serverFailed = partial && query.trim() !== '' && serverQuery === query.trim() && found.isError;
  // In tree order already: the cursor walks it.
  const matchList = matches.rows;
  const [matchCursor, setMatchCursor] = useState(-1);
  useEffect(() => setMatchCursor(matchList.length > 0 ? 0 : -1), [matchList]);
  const focusRow = matchCursor >= 0 ? matchList[matchCursor] : undefined;
  // A match inside a collapsed subtree must be on screen to be found.
  useEffect(() => {
    if (focusRow !== undefined) setCollapsed((current) => revealRow(tree, current, focusRow));
  }, [tree, focusRow]);

  // A span selected from outside the timeline (a link, the URL) must be on screen.
  useEffect(() => {
    if (selectedRow !== undefined) setCollapsed((current) => revealRow(tree, current, selectedRow));
  }, [tree, selectedRow]);

  const setParam = useCallback(
    (key: string, value: string | undefined, toggle = false) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value === undefined || (toggle && current.get(key) === value)) next.delete(key);
          else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const select = useCallback((spanId: string | undefined) => setParam('span', spanId, true), [setParam]);
  const toggle = useCallback((row: number) => setCollapsed((current) => toggleCollapsed(tree, current, row)), [tree]);
  const expandAll = useCallback(() => setCollapsed(NOTHING_COLLAPSED), []);
  const collapseAll = useCallback(() => setCollapsed(collapseEvery(tree)), [tree]);
  const close = useCallback(() => select(undefined), [select]);
  const calls = useMemo(() => (view === 'graph' ? serviceCalls(tree) : []), [tree, view]);
  const services = useMemo(
    () => (view === 'graph' ? [...new Set(tree.columns.processes.map((p) => p.serviceName))] : []),
    [tree, view],
  );

  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<string | undefined>(undefined);
  // A partial trace is fetched whole for a download: the file must hold every attribute.
  const download = (format: 'jaeger' | 'otlp') => {
    setDownloading(true);
    setDownloadError(undefined);
    const whole = partial ? client.getTrace(trace.traceID) : Promise.resolve(trace);
    void whole
      .then((full) => downloadTrace(full, format))
      .catch((error: unknown) => setDownloadError(error instanceof Error ? error.message : String(error)))
      .finally(() => setDownloading(false));
  };

  const step = (delta: number) => {
    if (matchList.length === 0) return;
    setMatchCursor((c) => (c + delta + matchList.length) % matchList.length);
  };

  return (
    <div className="trace-view">
      <TraceHeader trace={trace} columns={columns} tree={tree} skewCount={tree.skewCount} />
      <div className="trace-toolbar" data-testid="trace-toolbar">
        <div className="view-tabs" role="tablist" aria-label="Trace views">
          {VIEWS.map((v) => (
            <button
              key={v.value}
              type="button"
              role="tab"
              aria-selected={view === v.value}
              className={view === v.value ? 'view-tab active' : 'view-tab'}
              data-testid={`view-${v.value}`}
              onClick={() => setParam('view', v.value === 'timeline' ? undefined : v.value)}
            >
              {v.label}
            </button>
          ))}
        </div>
        <form
          className="trace-find"
          onSubmit={(event) => {
            event.preventDefault();
            step(1);
          }}
        >
          <input
            type="search"
            value={query}
            placeholder="Find in trace…"
            aria-label="Find in trace"
            data-testid="trace-find"
            spellCheck={false}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && event.shiftKey) {
                event.preventDefault();
                step(-1);
              }
            }}
          />
          <span
            className="muted trace-find-count"
            data-testid="trace-find-count"
            title={serverFailed ? `Attributes and events were not searched: ${found.error?.message}` : undefined}
          >
            {query.trim() === ''
              ? ''
              : matchList.length === 0
                ? searching
                  ? 'searching…'
                  : serverFailed
                    ? 'no match in names (attributes not searched)'
                    : 'no match'
                : `${matchCursor + 1} of ${matchList.length}${searching ? ', searching attributes…' : serverFailed ? ' in names (attributes not searched)' : ''}`}
          </span>
          <button type="button" className="link-button" onClick={() => step(-1)} disabled={matchList.length === 0}>
            ↑
          </button>
          <button type="button" className="link-button" onClick={() => step(1)} disabled={matchList.length === 0}>
            ↓
          </button>
        </form>
        <label className="trace-toggle">
          <input
            type="checkbox"
            checked={showCritical}
            data-testid="critical-path-toggle"
            onChange={(event) => setShowCritical(event.target.checked)}
          />{' '}
          Critical path
        </label>
        <span className="trace-actions">
          <button
            type="button"
            className="button"
            data-testid="download-jaeger"
            disabled={downloading}
            onClick={() => download('jaeger')}
          >
            Jaeger JSON
          </button>
          <button
            type="button"
            className="button"
            data-testid="download-otlp"
            disabled={downloading}
            onClick={() => download('otlp')}
          >
            OTLP JSON
          </button>
          {downloadError !== undefined && (
            <span className="error-text" role="alert">
              Download failed: {downloadError}
            </span>
          )}
          <Link to={`/compare?a=${trace.traceID}`} className="button" data-testid="compare-from-trace">
            Compare…
          </Link>
        </span>
      </div>
      <div className={selected === undefined ? 'trace-body' : 'trace-body trace-body-with-detail'}>
        {view === 'timeline' ? (
          <Timeline
            tree={tree}
            rows={rows}
            collapsed={collapsed}
            selectedRow={selectedRow}
            matches={matches}
            critical={critical}
            focusRow={focusRow}
            onSelect={select}
            onToggle={toggle}
            onExpandAll={expandAll}
            onCollapseAll={collapseAll}
          />
        ) : (
          <div className="trace-alt-view">
            {view === 'flame' && (
              <FlameGraph tree={tree} selectedRow={selectedRow} matches={matches} onSelect={select} />
            )}
            {view === 'table' && (
              <SpanTable tree={tree} selectedRow={selectedRow} matches={matches} onSelect={select} />
            )}
            {view === 'stats' && <TraceStatisticsView tree={tree} />}
            {view === 'graph' && (
              <Suspense fallback={<p className="muted">Loading the graph…</p>}>
                <ServiceGraph edges={calls} services={services} />
              </Suspense>
            )}
          </div>
        )}
        {selected !== undefined && (
          <SpanDetail node={selected} tree={tree} onClose={close} onSelect={select} partial={partial} />
        )}
      </div>
    </div>
  );
}
