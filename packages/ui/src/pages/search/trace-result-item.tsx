import { memo } from 'react';
import { Link } from 'react-router-dom';
import { RetentionBadge } from '../../components/retention-badge.js';
import { ServiceChip } from '../../components/service-chip.js';
import { formatInZone, type TimeZoneChoice } from '../../search/time-zone.js';
import { formatDuration } from '../../trace/format-duration.js';
import { formatAbsoluteTime, formatIsoTime, formatRelativeTime } from '../../trace/format-time.js';
import { serviceColor } from '../../trace/service-colors.js';
import type { TraceSummary } from '../../trace/summarize-trace.js';

export interface TraceResultItemProps {
  readonly summary: TraceSummary;
  /** The longest trace in the list: the duration bar is relative to it. */
  readonly longestDuration: number;
  readonly nowMillis: number;
  readonly zone?: TimeZoneChoice;
}

/** One search result; the whole card is a link, so it also opens in a new tab. */
export const TraceResultItem = memo(function TraceResultItem({
  summary,
  longestDuration,
  nowMillis,
  zone = 'local',
}: TraceResultItemProps) {
  const share = longestDuration > 0 ? Math.max((summary.duration / longestDuration) * 100, 0.5) : 100;
  return (
    <Link
      to={`/trace/${summary.traceId}`}
      className="trace-result"
      data-testid="trace-result"
      data-trace-id={summary.traceId}
    >
      <div className="trace-result-title">
        <span className="trace-result-name">
          <span className="service-swatch" style={{ background: serviceColor(summary.rootServiceName) }} />
          <span className="trace-result-service">{summary.rootServiceName}</span>
          <span className="faint">: </span>
          <span>{summary.rootOperationName}</span>
          <RetentionBadge retention={summary.retention} />
          {!summary.hasRoot && (
            <span className="badge badge-warning" title="The root span of this trace was not received">
              root missing
            </span>
          )}
        </span>
        <span className="trace-result-id mono" title={summary.traceId}>
          {summary.traceId.slice(0, 8)}
        </span>
        <span className="trace-result-duration">{formatDuration(summary.duration)}</span>
      </div>
      <div className="trace-result-bar" aria-hidden="true">
        <span style={{ width: `${share}%` }} />
      </div>
      <div className="trace-result-meta">
        <span>
          {summary.spanCount} span{summary.spanCount === 1 ? '' : 's'}
        </span>
        {summary.errorCount > 0 && (
          <span className="badge badge-error">
            {summary.errorCount} error{summary.errorCount === 1 ? '' : 's'}
          </span>
        )}
        <span className="trace-result-chips">
          {summary.services.map((s) => (
            <ServiceChip key={s.name} name={s.name} count={s.spanCount} errorCount={s.errorCount} />
          ))}
        </span>
        <span className="trace-result-time" title={formatIsoTime(summary.startTime)}>
          <span>{formatRelativeTime(summary.startTime, nowMillis)}</span>
          <span className="faint">
            {zone === 'utc' ? formatInZone(summary.startTime, 'utc') : formatAbsoluteTime(summary.startTime)}
          </span>
        </span>
      </div>
    </Link>
  );
});
