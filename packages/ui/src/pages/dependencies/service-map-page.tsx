import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { isApiError } from '../../api/api-error.js';
import { getDependencies } from '../../api/dependencies.js';
import { PageMessage } from '../../components/page-message.js';
import { SendSpansHelp } from '../../components/send-spans-help.js';
import { ServiceGraph } from '../../components/service-graph.js';
import { useApiClient } from '../../hooks/api-client-context.js';
import { LOOKBACKS } from '../../search/search-params.js';
import { formatCount } from '../../trace/format-count.js';
import '../compare/compare-page.css';

/** `/dependencies`: which service calls which, how often, and how often it fails (`/api/dependencies`). */
export function ServiceMapPage() {
  const client = useApiClient();
  const navigate = useNavigate();
  const [lookback, setLookback] = useState('1h');
  const lookbackMicros = LOOKBACKS.find((l) => l.value === lookback)?.micros ?? 3600e6;
  const deps = useQuery({
    queryKey: ['dependencies', lookback],
    queryFn: ({ signal }) => getDependencies(client, Date.now(), lookbackMicros / 1000, signal),
    staleTime: 0,
  });
  const sorted = useMemo(
    () => [...(deps.data ?? [])].sort((a, b) => b.callCount - a.callCount || a.parent.localeCompare(b.parent)),
    [deps.data],
  );

  let content: ReactNode;
  if (deps.isPending) content = <PageMessage title="Loading the service map…" tone="loading" />;
  else if (deps.isError) {
    content = (
      <PageMessage title="The service map could not be loaded" tone="error">
        <p>{deps.error.message}</p>
        <p>
          {isApiError(deps.error, 'NotFound') || deps.error.message.includes('does not compute')
            ? 'This server or its store does not compute dependencies.'
            : 'Try again in a moment; if it keeps failing, the server logs say why.'}
        </p>
        <button type="button" className="button" onClick={() => void deps.refetch()}>
          Try again
        </button>
      </PageMessage>
    );
  } else if (deps.data.length === 0) {
    content = (
      <PageMessage title="No calls between services in this window" testId="service-map-empty">
        <p>Widen the time window, or send traces whose spans cross services.</p>
        <SendSpansHelp />
      </PageMessage>
    );
  } else {
    content = (
      <>
        <div className="panel">
          <ServiceGraph
            edges={deps.data}
            testId="service-map"
            onServiceClick={(service) =>
              navigate(`/search?service=${encodeURIComponent(service)}&lookback=${lookback}`)
            }
          />
        </div>
        <table className="data-table" style={{ marginTop: 16 }}>
          <thead>
            <tr>
              <th>Caller</th>
              <th>Callee</th>
              <th className="numeric">Calls</th>
              <th className="numeric">Errors</th>
              <th className="numeric">Error rate</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((link) => (
              <tr key={`${link.parent}->${link.child}`} data-testid="dependency-row">
                <td>{link.parent}</td>
                <td>{link.child}</td>
                <td className="numeric">{formatCount(link.callCount)}</td>
                <td className="numeric">{formatCount(link.errorCount)}</td>
                <td className={link.errorCount > 0 ? 'numeric error-text' : 'numeric'}>
                  {link.callCount > 0 ? `${((link.errorCount / link.callCount) * 100).toFixed(1)}%` : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <div className="service-map-page" data-testid="service-map-page">
      <div className="page-controls">
        <h1 style={{ fontSize: 18 }}>Service map</h1>
        <label>
          <span className="muted">Window </span>
          <select value={lookback} onChange={(e) => setLookback(e.target.value)} data-testid="service-map-lookback">
            {LOOKBACKS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {content}
    </div>
  );
}
