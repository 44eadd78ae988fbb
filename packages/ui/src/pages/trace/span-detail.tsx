import type { JaegerLog, JaegerProcess, JaegerSpan } from '@ariadne/protocol';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { KeyValueTable } from '../../components/key-value-table.js';
import { ServiceChip } from '../../components/service-chip.js';
import { useFullSpan } from '../../hooks/use-full-span.js';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { formatDuration } from '../../trace/format-duration.js';
import { formatIsoTime } from '../../trace/format-time.js';
import { linksOf, sameTraceId } from '../../trace/span-references.js';
import { spanKindOf, spanStatusOf, tagValueText } from '../../trace/span-tags.js';
import './span-detail.css';

export interface SpanDetailProps {
  readonly node: SpanNode;
  readonly tree: SpanTree;
  readonly onClose: () => void;
  readonly onSelect: (spanId: string) => void;
  /** The tree's spans are the server's skeleton: this span's tags, process, events and links are fetched. */
  readonly partial?: boolean;
}

/**
 * Everything about one span. Every section is always there (possibly saying
 * "none", or "loading" while a partial trace's span is fetched), so tests can
 * rely on it.
 */
export function SpanDetail({ node, tree, onClose, onSelect, partial = false }: SpanDetailProps) {
  const full = useFullSpan(node.span.traceID, node.spanId, partial);
  const fetched = full.data?.spans[0];
  const span: JaegerSpan = partial ? (fetched ?? node.span) : node.span;
  const process: JaegerProcess | undefined = partial
    ? fetched === undefined
      ? undefined
      : full.data?.processes[fetched.processID]
    : node.process;
  const pending: ReactNode =
    partial && fetched === undefined ? (
      full.isError ? (
        <p className="error-text" data-testid="span-detail-error">
          The span's details could not be loaded: {full.error.message}
        </p>
      ) : (
        <p className="faint">Loading…</p>
      )
    ) : undefined;
  const status = spanStatusOf(span);
  const kind = spanKindOf(span);
  const links = linksOf(span);
  return (
    <aside
      className="span-detail"
      data-testid="span-detail"
      data-span-id={node.spanId}
      aria-label="Span details"
      aria-busy={pending !== undefined && !full.isError}
    >
      <div className="span-detail-head">
        <h2>{span.operationName}</h2>
        <button type="button" className="span-detail-close" onClick={onClose} aria-label="Close span details">
          ×
        </button>
      </div>
      {span.warnings !== null && span.warnings.length > 0 && (
        <ul className="span-warnings" data-testid="span-warnings">
          {span.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <dl className="span-facts">
        <Fact label="Service">
          <ServiceChip name={node.serviceName} />
        </Fact>
        <Fact label="Duration">{formatDuration(span.duration)}</Fact>
        <Fact label="Start">
          <span title={formatIsoTime(span.startTime)}>+{formatDuration(span.startTime - tree.startTime)}</span>
        </Fact>
        <Fact label="Kind">{kind === '' ? <span className="faint">unspecified</span> : kind}</Fact>
        <Fact label="Status">
          <span className={`span-status span-status-${status.code.toLowerCase()}`} data-testid="span-status">
            <span className="span-status-code">{statusLabel(status.code)}</span>
            {status.message !== '' && <span className="span-status-message">{status.message}</span>}
          </span>
        </Fact>
        <Fact label="Span id">
          <code>{span.spanID}</code>
        </Fact>
        <Fact label="Parent">
          {node.parent !== undefined ? (
            <button type="button" className="link-button" onClick={() => onSelect(node.parent!.spanId)}>
              {node.parent.span.operationName}
            </button>
          ) : node.orphan ? (
            <span className="faint">missing from the trace</span>
          ) : (
            <span className="faint">none (root)</span>
          )}
        </Fact>
      </dl>

      <Section title="Attributes" count={pending ? 0 : span.tags.length} testId="span-attributes">
        {pending ?? <KeyValueTable items={span.tags} empty="No attributes." />}
      </Section>

      <Section title="Process" count={process === undefined ? 0 : process.tags.length + 1} testId="span-process">
        {pending ??
          (process === undefined ? (
            <p className="faint">
              The server sent no process "{span.processID}" for this span, so its resource is unknown.
            </p>
          ) : (
            <>
              <p className="span-process-service">
                <span className="muted">service.name</span> {process.serviceName}
              </p>
              <KeyValueTable items={process.tags} empty="No other resource attributes." />
            </>
          ))}
      </Section>

      <Section title="Events" count={span.logs.length} testId="span-events">
        {pending ??
          (span.logs.length === 0 ? (
            <p className="faint">No events.</p>
          ) : (
            <ol className="span-events">
              {span.logs.map((log, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events have no id and never reorder.
                <SpanEvent key={i} log={log} spanStart={span.startTime} traceStart={tree.startTime} />
              ))}
            </ol>
          ))}
      </Section>

      <Section title="Links" count={links.length} testId="span-links">
        {pending ??
          (links.length === 0 ? (
            <p className="faint">No links.</p>
          ) : (
            <ul className="span-links">
              {links.map((link) => {
                const here = sameTraceId(link.traceID, span.traceID);
                // By row, not `byId`: that map would make a node for every span of a large trace.
                const linkedRow = here ? tree.rowOf(link.spanID) : undefined;
                return (
                  <li key={`${link.traceID}:${link.spanID}:${link.refType}`}>
                    <span className="type-badge">{link.refType === 'FOLLOWS_FROM' ? 'follows from' : 'child of'}</span>{' '}
                    <Link to={`/trace/${link.traceID}?span=${link.spanID}`} data-testid="span-link">
                      {here ? 'this trace' : <code>{link.traceID}</code>}
                    </Link>{' '}
                    <span className="muted">
                      span <code>{link.spanID}</code>
                      {linkedRow !== undefined && `: ${tree.nodeAt(linkedRow).span.operationName}`}
                    </span>
                  </li>
                );
              })}
            </ul>
          ))}
      </Section>
    </aside>
  );
}

function SpanEvent({ log, spanStart, traceStart }: { log: JaegerLog; spanStart: number; traceStart: number }) {
  const nameField = log.fields.find((f) => f.key === 'event');
  const fields = nameField === undefined ? log.fields : log.fields.filter((f) => f !== nameField);
  return (
    <li className="span-event">
      <div className="span-event-head">
        <span className="span-event-name">{nameField === undefined ? 'event' : tagValueText(nameField)}</span>
        <span className="muted" title={formatIsoTime(log.timestamp)}>
          +{formatDuration(log.timestamp - traceStart)}{' '}
          <span className="faint">(+{formatDuration(log.timestamp - spanStart)} into the span)</span>
        </span>
      </div>
      {fields.length > 0 && <KeyValueTable items={fields} empty="" />}
    </li>
  );
}

function statusLabel(code: 'UNSET' | 'OK' | 'ERROR'): string {
  return code === 'ERROR' ? 'Error' : code === 'OK' ? 'OK' : 'Unset';
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="span-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Section({
  title,
  count,
  testId,
  children,
}: {
  title: string;
  count: number;
  testId: string;
  children: ReactNode;
}) {
  return (
    <details className="span-section" data-testid={testId} open>
      <summary>
        <h3>
          {title} <span className="faint">{count}</span>
        </h3>
      </summary>
      {children}
    </details>
  );
}
