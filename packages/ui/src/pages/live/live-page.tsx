import type { JaegerTrace } from '@ariadne/protocol';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { followEventStream, type StreamEvent } from '../../api/event-stream.js';
import { parseJson } from '../../api/parse-json.js';
import { readTraces } from '../../api/read-response.js';
import { PageMessage } from '../../components/page-message.js';
import { ServiceChip } from '../../components/service-chip.js';
import { sessionFetch } from '../../session/session-fetch.js';
import { formatDuration } from '../../trace/format-duration.js';
import { summarizeTrace, type TraceSummary } from '../../trace/summarize-trace.js';
import '../compare/compare-page.css';

/** Newest first; older entries fall off, so a busy stream cannot grow the page without bound. */
export const LIVE_MAX_ENTRIES = 200;

interface Entry {
  readonly key: number;
  readonly summary: TraceSummary;
}

type Status = 'connecting' | 'open' | 'error';

/** `event: dropped` carries `{"dropped":n}`; anything else counts as none. */
function readDropped(data: string): number {
  try {
    const n = (JSON.parse(data) as { dropped?: unknown }).dropped;
    return typeof n === 'number' && Number.isFinite(n) ? n : 0;
  } catch {
    const n = Number(data);
    return Number.isFinite(n) ? n : 0;
  }
}

/** The server's own words for a refused stream (`{"error": ...}` or text), else its status. */
function refusalMessage(status: number, body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof error === 'string') return error.slice(0, 300);
  } catch {}
  return body.trim().slice(0, 300) || `The server answered ${status}.`;
}

/**
 * `/live`: spans as they are accepted, one entry per trace fragment, over
 * server-sent events (`/api/live`) read from a fetch stream. Paused, the stream stays open and new
 * entries are counted, not shown; resuming shows them.
 */
export function LivePage() {
  const [service, setService] = useState('');
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState({ service: '', q: '' });
  const [entries, setEntries] = useState<readonly Entry[]>([]);
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<Status>('connecting');
  const [error, setError] = useState('');
  const [dropped, setDropped] = useState(0);
  const pending = useRef<Entry[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const [waiting, setWaiting] = useState(0);
  const nextKey = useRef(0);

  useEffect(() => {
    const params = new URLSearchParams();
    if (filter.service !== '') params.set('service', filter.service);
    if (filter.q !== '') params.set('q', filter.q);
    setStatus('connecting');
    setError('');
    const flush = () => {
      const batch = pending.current;
      pending.current = [];
      setWaiting(0);
      setEntries((list) => [...batch.reverse(), ...list].slice(0, LIVE_MAX_ENTRIES));
    };
    let frame = 0;
    const onData = (event: StreamEvent) => {
      let traces: JaegerTrace[];
      try {
        const body = parseJson(event.data);
        traces = readTraces(Array.isArray(body) ? body : [body]);
      } catch {
        return;
      }
      for (const trace of traces) {
        if (trace.spans.length === 0) continue;
        pending.current.push({ key: nextKey.current++, summary: summarizeTrace(trace) });
      }
      // Bounded even while paused: only the newest entries can ever be shown.
      if (pending.current.length > LIVE_MAX_ENTRIES) pending.current = pending.current.slice(-LIVE_MAX_ENTRIES);
      if (pausedRef.current) setWaiting(pending.current.length);
      else if (frame === 0) {
        // One render per frame, however fast events arrive.
        frame = requestAnimationFrame(() => {
          frame = 0;
          flush();
        });
      }
    };
    // A fetch stream, not EventSource: it carries the tab's token and tenant (sessionFetch).
    const close = followEventStream(
      `/api/live?${params}`,
      {
        onOpen: () => setStatus('open'),
        onEvent: (event) => {
          if (event.type === 'message' || event.type === 'spans') onData(event);
          else if (event.type === 'dropped') {
            const n = readDropped(event.data);
            if (n > 0) setDropped((d) => d + n);
          }
        },
        onReconnecting: () => setStatus('connecting'),
        onRefused: (status, body) => {
          setStatus('error');
          setError(refusalMessage(status, body));
        },
      },
      sessionFetch,
    );
    return () => {
      cancelAnimationFrame(frame);
      close();
    };
  }, [filter]);

  const resume = () => {
    setPaused(false);
    const batch = pending.current;
    pending.current = [];
    setWaiting(0);
    setEntries((list) => [...batch.reverse(), ...list].slice(0, LIVE_MAX_ENTRIES));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setEntries([]);
    pending.current = [];
    // In the same render as the new filter: "open" must never describe the stream being replaced.
    setStatus('connecting');
    setFilter({ service: service.trim(), q: q.trim() });
  };

  return (
    <div className="live-page" data-testid="live-page" data-status={status}>
      <form className="page-controls" onSubmit={submit}>
        <h1 style={{ fontSize: 18 }}>Live tail</h1>
        <input
          value={service}
          onChange={(e) => setService(e.target.value)}
          placeholder="service"
          aria-label="Service"
          data-testid="live-service"
        />
        <input
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="TraceQL filter (optional)"
          aria-label="TraceQL filter"
          data-testid="live-q"
          style={{ width: 320, fontFamily: 'var(--font-mono)' }}
        />
        <button type="submit" className="button">
          Apply filter
        </button>
        {paused ? (
          <button type="button" className="button button-primary" onClick={resume} data-testid="live-resume">
            Resume{waiting > 0 ? ` (${waiting} new)` : ''}
          </button>
        ) : (
          <button type="button" className="button" onClick={() => setPaused(true)} data-testid="live-pause">
            Pause
          </button>
        )}
        <span className="muted" data-testid="live-status">
          {status === 'open'
            ? paused
              ? 'Paused'
              : 'Streaming'
            : status === 'connecting'
              ? 'Connecting…'
              : 'Disconnected'}
          {dropped > 0 && ` · the server skipped ${dropped} updates this page could not keep up with`}
        </span>
      </form>
      {status === 'error' ? (
        <PageMessage title="Live tail is not available" tone="error">
          <p>{error || 'The server closed the stream.'}</p>
          <p>Check the filter (a TraceQL filter may not be supported by this server), then apply it again.</p>
        </PageMessage>
      ) : entries.length === 0 ? (
        <PageMessage
          title={status === 'open' ? 'Waiting for spans…' : 'Connecting…'}
          tone="loading"
          testId="live-empty"
        >
          <p>
            New spans appear here as the server accepts them{filter.service !== '' ? ` from ${filter.service}` : ''}.
          </p>
        </PageMessage>
      ) : (
        <ol className="live-list" data-testid="live-list">
          {entries.map((entry) => (
            <li key={entry.key} data-testid="live-entry" data-trace-id={entry.summary.traceId}>
              <Link to={`/trace/${entry.summary.traceId}`}>
                <code>{entry.summary.traceId.slice(0, 12)}</code>
              </Link>{' '}
              <ServiceChip name={entry.summary.rootServiceName} /> {entry.summary.rootOperationName}{' '}
              <span className="muted">
                {entry.summary.spanCount} span{entry.summary.spanCount === 1 ? '' : 's'} ·{' '}
                {formatDuration(entry.summary.duration)}
              </span>
              {entry.summary.errorCount > 0 && (
                <span className="badge badge-error">{entry.summary.errorCount} errors</span>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
