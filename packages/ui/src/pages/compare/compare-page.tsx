import type { JaegerTrace } from '@ariadne/protocol';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { PageMessage } from '../../components/page-message.js';
import { useTrace } from '../../hooks/use-trace.js';
import { buildSpanTree } from '../../trace/build-span-tree.js';
import { countDiff, type DiffStatus, diffTraces } from '../../trace/diff-traces.js';
import { formatDuration } from '../../trace/format-duration.js';
import { summarizeTrace } from '../../trace/summarize-trace.js';
import './compare-page.css';

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** `/compare?a=&b=`: two traces side by side and what changed between them, span group by span group. */
export function ComparePage() {
  const [params, setParams] = useSearchParams();
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const [textA, setTextA] = useState(a);
  const [textB, setTextB] = useState(b);
  const traceA = useTrace(TRACE_ID.test(a) ? a : '');
  const traceB = useTrace(TRACE_ID.test(b) ? b : '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams({ a: textA.trim().toLowerCase(), b: textB.trim().toLowerCase() });
  };

  let content: ReactNode;
  if (!TRACE_ID.test(a) || !TRACE_ID.test(b)) {
    content = (
      <PageMessage title="Pick two traces to compare">
        <p>
          Paste two trace ids above, or tick two results on <Link to="/search">Search</Link> and press Compare.
        </p>
      </PageMessage>
    );
  } else if (traceA.isPending || traceB.isPending) {
    content = <PageMessage title="Loading both traces…" tone="loading" />;
  } else if (traceA.isError || traceB.isError) {
    content = (
      <PageMessage title="A trace could not be loaded" tone="error">
        <p>{(traceA.error ?? traceB.error)?.message}</p>
        <p>Check both ids; a trace older than the store keeps is gone.</p>
      </PageMessage>
    );
  } else {
    content = <TraceDiff a={traceA.data} b={traceB.data} />;
  }

  return (
    <div className="compare-page" data-testid="compare-page">
      <form className="compare-form" onSubmit={submit}>
        <label>
          A{' '}
          <input
            value={textA}
            onChange={(e) => setTextA(e.target.value)}
            placeholder="trace id"
            data-testid="compare-a"
            spellCheck={false}
          />
        </label>
        <label>
          B{' '}
          <input
            value={textB}
            onChange={(e) => setTextB(e.target.value)}
            placeholder="trace id"
            data-testid="compare-b"
            spellCheck={false}
          />
        </label>
        <button type="submit" className="button button-primary">
          Compare
        </button>
      </form>
      {content}
    </div>
  );
}

const STATUS_LABEL: Record<DiffStatus, string> = {
  added: 'only in B',
  removed: 'only in A',
  slower: 'slower',
  faster: 'faster',
  same: 'same',
};

function TraceDiff({ a, b }: { a: JaegerTrace; b: JaegerTrace }) {
  const treeA = useMemo(() => buildSpanTree(a), [a]);
  const treeB = useMemo(() => buildSpanTree(b), [b]);
  const rows = useMemo(() => diffTraces(treeA, treeB), [treeA, treeB]);
  const counts = useMemo(() => countDiff(rows), [rows]);
  const [onlyChanges, setOnlyChanges] = useState(false);
  const shown = onlyChanges ? rows.filter((r) => r.status !== 'same') : rows;
  return (
    <div className="trace-diff" data-testid="trace-diff">
      <div className="compare-sides">
        <TraceSide label="A" trace={a} />
        <TraceSide label="B" trace={b} />
      </div>
      <p className="compare-counts" data-testid="diff-counts">
        {(['added', 'removed', 'slower', 'faster', 'same'] as const).map((status) => (
          <span key={status} className={`diff-badge diff-${status}`}>
            {counts[status]} {STATUS_LABEL[status]}
          </span>
        ))}
        <label>
          <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} /> Only
          changes
        </label>
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th>Span (service: operation)</th>
            <th>Change</th>
            <th className="numeric">Count A</th>
            <th className="numeric">Count B</th>
            <th className="numeric">Mean A</th>
            <th className="numeric">Mean B</th>
            <th className="numeric">Δ</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr
              key={row.key}
              className={`diff-row diff-row-${row.status}`}
              data-testid="diff-row"
              data-status={row.status}
            >
              <td style={{ paddingLeft: 8 + Math.min(row.depth, 20) * 14 }} title={[...row.path, ''].join(' › ')}>
                <span className="muted">{row.serviceName}: </span>
                {row.operationName}
              </td>
              <td>
                <span className={`diff-badge diff-${row.status}`}>{STATUS_LABEL[row.status]}</span>
              </td>
              <td className="numeric">{row.countA}</td>
              <td className="numeric">{row.countB}</td>
              <td className="numeric">{row.countA > 0 ? formatDuration(row.meanA) : '–'}</td>
              <td className="numeric">{row.countB > 0 ? formatDuration(row.meanB) : '–'}</td>
              <td className="numeric">
                {row.countA > 0 && row.countB > 0
                  ? `${row.meanB >= row.meanA ? '+' : ''}${formatDuration(row.meanB - row.meanA)}`
                  : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TraceSide({ label, trace }: { label: string; trace: JaegerTrace }) {
  const summary = useMemo(() => summarizeTrace(trace), [trace]);
  return (
    <div className="compare-side" data-testid={`compare-side-${label.toLowerCase()}`}>
      <h2>
        {label}: {summary.rootServiceName}: {summary.rootOperationName}
      </h2>
      <p className="muted">
        <Link to={`/trace/${trace.traceID}`}>
          <code>{trace.traceID}</code>
        </Link>{' '}
        · {formatDuration(summary.duration)} · {summary.spanCount} spans · {summary.errorCount} errors
      </p>
    </div>
  );
}
