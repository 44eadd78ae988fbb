import type { JaegerTrace } from '@ariadne/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { ServiceChip } from '../../components/service-chip.js';
import { formatDuration } from '../../trace/format-duration.js';
import { addLocalTrace } from '../../trace/local-traces.js';
import { summarizeTrace } from '../../trace/summarize-trace.js';
import { parseTraceFile } from '../../trace/trace-file.js';
import '../compare/compare-page.css';

/**
 * `/open`: view a trace from a file (Jaeger JSON as Jaeger UI downloads it,
 * or OTLP JSON) without sending it to the server. One trace opens at once;
 * a file with several lists them.
 */
export function OpenPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState('');
  const [traces, setTraces] = useState<readonly JaegerTrace[]>([]);
  const [dragging, setDragging] = useState(false);

  const open = async (file: File | undefined) => {
    if (file === undefined) return;
    setError('');
    try {
      const read = parseTraceFile(await file.text());
      for (const trace of read) {
        addLocalTrace(trace);
        queryClient.setQueryData(['trace', trace.traceID], trace);
        // The trace page's own key: the file's whole trace replaces a skeleton read earlier.
        queryClient.setQueryData(['trace-view', trace.traceID], { trace, partial: false });
      }
      if (read.length === 1) navigate(`/trace/${(read[0] as JaegerTrace).traceID}`);
      else setTraces(read);
    } catch (e) {
      setError(`${file.name}: ${(e as Error).message}`);
    }
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void open(event.dataTransfer.files[0]);
  };

  return (
    <div className="open-page" data-testid="open-page">
      <h1 style={{ fontSize: 18, marginBottom: 12 }}>Open a trace file</h1>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the file input inside does the same. */}
      <div
        className={dragging ? 'open-drop dragging' : 'open-drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop a Jaeger JSON or OTLP JSON file here, or</p>
        <input
          type="file"
          accept=".json,application/json"
          data-testid="open-file"
          aria-label="Trace file"
          onChange={(event) => void open(event.target.files?.[0])}
        />
        <p className="muted">The file stays in this browser tab; nothing is sent to the server.</p>
      </div>
      {error !== '' && (
        <p className="field-error" role="alert" data-testid="open-error">
          {error}. Download a trace from a trace page (Jaeger JSON or OTLP JSON) to see the expected shape.
        </p>
      )}
      {traces.length > 1 && (
        <ul className="live-list" data-testid="open-list">
          {traces.map((trace) => {
            const s = summarizeTrace(trace);
            return (
              <li key={trace.traceID}>
                <Link to={`/trace/${trace.traceID}`}>
                  <code>{trace.traceID}</code>
                </Link>
                <ServiceChip name={s.rootServiceName} /> {s.rootOperationName}
                <span className="muted">
                  {s.spanCount} spans · {formatDuration(s.duration)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
