import type { JaegerTrace } from '@ariadne/protocol';
import { type ReactNode, useMemo, useState } from 'react';
import { retentionOf } from '../../api/trace-retention.js';
import { RetentionBadge } from '../../components/retention-badge.js';
import { ServiceChip } from '../../components/service-chip.js';
import type { SpanTree } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { formatAbsoluteTime, formatIsoTime, formatRelativeTime } from '../../trace/format-time.js';
import { serviceColor } from '../../trace/service-colors.js';
import type { SpanColumns } from '../../trace/span-columns.js';
import { summarizeTrace } from '../../trace/summarize-trace.js';

export function TraceHeader({
  trace,
  columns,
  tree,
  skewCount = 0,
}: {
  trace: JaegerTrace;
  columns?: SpanColumns | undefined;
  tree: SpanTree;
  skewCount?: number;
}) {
  const summary = useMemo(() => summarizeTrace(trace, columns), [trace, columns]);
  const [now] = useState(() => Date.now());
  const warnings = useMemo(() => traceWarnings(trace, tree, skewCount), [trace, tree, skewCount]);
  return (
    <header className="trace-header" data-testid="trace-header">
      <div className="trace-header-title">
        <h1>
          <span className="service-swatch" style={{ background: serviceColor(summary.rootServiceName) }} />
          {summary.rootServiceName}
          <span className="faint">: </span>
          {summary.rootOperationName}
          <RetentionBadge retention={retentionOf(trace)} />
        </h1>
        <CopyableId id={trace.traceID} />
      </div>
      <dl className="trace-facts">
        <Fact label="Start">
          <span title={formatIsoTime(tree.startTime)}>
            {formatAbsoluteTime(tree.startTime)}{' '}
            <span className="faint">({formatRelativeTime(tree.startTime, now)})</span>
          </span>
        </Fact>
        <Fact label="Duration">{formatDuration(tree.endTime - tree.startTime)}</Fact>
        <Fact label="Services">{summary.services.length}</Fact>
        <Fact label="Depth">{tree.depth}</Fact>
        <Fact label="Spans">{summary.spanCount.toLocaleString('en')}</Fact>
        <Fact label="Errors">
          <span className={tree.errorCount > 0 ? 'error-text' : undefined}>{tree.errorCount}</span>
        </Fact>
      </dl>
      <div className="trace-services">
        {summary.services.map((s) => (
          <ServiceChip key={s.name} name={s.name} count={s.spanCount} errorCount={s.errorCount} />
        ))}
      </div>
      {warnings.length > 0 && (
        <ul className="trace-warnings" data-testid="trace-warnings">
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </header>
  );
}

function traceWarnings(trace: JaegerTrace, tree: SpanTree, skewCount: number): string[] {
  const warnings = [...(trace.warnings ?? [])];
  const orphans = tree.orphanCount;
  const cycles = tree.cycleCount;
  if (orphans > 0) {
    warnings.push(
      `${orphans} span${orphans === 1 ? ' has its' : 's have their'} parent missing from the trace (not received, or not yet); shown as top-level spans.`,
    );
  }
  if (cycles > 0)
    warnings.push(
      `${cycles} group${cycles === 1 ? '' : 's'} of spans name each other as parents; each is shown from its earliest span.`,
    );
  if (tree.duplicateCount > 0) {
    warnings.push(
      `${tree.duplicateCount} span${tree.duplicateCount === 1 ? ' was' : 's were'} stored twice; each is shown once.`,
    );
  }
  if (skewCount > 0) {
    warnings.push(
      `Clock skew: ${skewCount} span${skewCount === 1 ? ' starts' : 's start'} before or end${skewCount === 1 ? 's' : ''} after ${skewCount === 1 ? 'its' : 'their'} parent (marked “skew”). The hosts' clocks may disagree, or the work outlived its caller; durations across services may be off.`,
    );
  }
  return warnings;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="trace-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function CopyableId({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(id).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <span className="trace-id">
      <code>{id}</code>
      <button type="button" className="link-button" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
