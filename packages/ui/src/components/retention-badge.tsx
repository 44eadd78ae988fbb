import type { TraceRetention } from '../api/trace-retention.js';

/** What each policy means, for the badge's tooltip. */
const WHY: Record<string, string> = {
  error: 'it has a span with an error',
  slow: "a span was slower than its operation's p99 over the hour before it",
  exemplar: 'it is an example of its operation and status for that minute',
  traceql: 'it matches a TraceQL condition of the retention policy',
  attribute: 'it carries a keep attribute (jaeger-debug-id or keep)',
  sample: 'it is in the random fraction kept by trace id',
};

/** "kept · error": the trace is past the short retention window, kept by a policy. */
export function RetentionBadge({ retention }: { retention: TraceRetention | undefined }) {
  if (retention === undefined) return null;
  const why = WHY[retention.keptBy] ?? `the policy "${retention.keptBy}" kept it`;
  return (
    <span
      className="badge badge-retention"
      data-testid="retention-badge"
      data-kept-by={retention.keptBy}
      title={`Kept tier: past the short retention window, only kept traces remain; this one was kept because ${why}.`}
    >
      kept · {retention.keptBy}
    </span>
  );
}
