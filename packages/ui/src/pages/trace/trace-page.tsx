import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error.js';
import { PageMessage } from '../../components/page-message.js';
import { useTraceView } from '../../hooks/use-trace-view.js';
import { TraceView } from './trace-view.js';
import './trace-page.css';

const TRACE_ID_TEXT = /^[0-9a-fA-F]{1,32}$/;

/** `/trace/:traceId`: loading, not found and failure are settled here; `TraceView` only ever sees a trace. */
export function TracePage() {
  const { traceId = '' } = useParams();
  const wellFormed = TRACE_ID_TEXT.test(traceId);
  const trace = useTraceView(wellFormed ? traceId : '');

  let content: ReactNode;
  let state: 'loading' | 'error' | 'ready' = 'error';
  if (!wellFormed) {
    content = (
      <PageMessage title="That is not a trace id" tone="error">
        <p>
          Trace ids are 16 or 32 hexadecimal characters, like <code>4bf92f3577b34da6a3ce929d0e0e4736</code>. Check the
          link, or find the trace from <Link to="/search">Search</Link>.
        </p>
      </PageMessage>
    );
  } else if (trace.isPending) {
    state = 'loading';
    content = <PageMessage title="Loading trace…" tone="loading" />;
  } else if (trace.isError) {
    const notFound = isApiError(trace.error, 'NotFound');
    content = notFound ? (
      <PageMessage title="Trace not found" tone="error">
        <p>
          No span of trace <code>{traceId}</code> is stored.
        </p>
        <p>
          If it was sent moments ago, its spans may still be on their way (exporters send in batches): try again in a
          few seconds. Otherwise it may be older than the store keeps, or the id may be mistyped.
        </p>
        <p>
          <button type="button" className="button" onClick={() => void trace.refetch()}>
            Try again
          </button>{' '}
          <Link to="/search" className="button">
            Search traces
          </Link>
        </p>
      </PageMessage>
    ) : (
      <PageMessage title="The trace could not be loaded" tone="error">
        <p>{trace.error.message}</p>
        <p>Try again in a moment; if it keeps failing, the server logs will say why.</p>
        <button type="button" className="button" onClick={() => void trace.refetch()}>
          Try again
        </button>
      </PageMessage>
    );
  } else {
    state = 'ready';
    content = (
      <TraceView
        key={trace.data.trace.traceID}
        trace={trace.data.trace}
        partial={trace.data.partial}
        columns={trace.data.columns}
      />
    );
  }

  return (
    <div className="trace-page" data-testid="trace-page" data-state={state}>
      {content}
    </div>
  );
}
