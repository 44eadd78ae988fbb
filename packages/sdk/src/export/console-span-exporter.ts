import type { AnyValue, Attributes, Span } from '@ariadne/protocol';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

export interface ConsoleSpanExporterOptions {
  /** Where lines go; default `process.stdout`. */
  readonly stream?: { write(chunk: string): unknown };
  /** Include the resource in every line (default false: it is the same for every span of a process). */
  readonly includeResource?: boolean;
}

/**
 * One JSON line per span, readable by people and by `jq`. Times stay exact
 * (nanoseconds as decimal strings, since JSON numbers cannot hold them), and
 * 64-bit integers that do not fit a double are strings too.
 */
export class ConsoleSpanExporter implements SpanExporter {
  private readonly stream: { write(chunk: string): unknown };
  private readonly includeResource: boolean;
  private stopped = false;

  constructor(options: ConsoleSpanExporterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.includeResource = options.includeResource ?? false;
  }

  export(spans: readonly Span[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve(exportFailure(new Error('exporter is shut down')));
    let text = '';
    for (const span of spans) text += `${JSON.stringify(consoleView(span, this.includeResource))}\n`;
    try {
      this.stream.write(text);
    } catch (error) {
      return Promise.resolve(exportFailure(error));
    }
    return Promise.resolve(EXPORT_SUCCESS);
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

/** The plain-JSON shape the console exporter prints for a span. */
export function consoleView(span: Span, includeResource = false): Record<string, unknown> {
  const view: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || undefined,
    name: span.name,
    kind: span.kind,
    scope: span.scope.version ? `${span.scope.name}@${span.scope.version}` : span.scope.name,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    durationNanos: (span.endTimeUnixNano - span.startTimeUnixNano).toString(),
    attributes: plainAttributes(span.attributes),
    status: span.status.code === 0 ? undefined : span.status,
    events: span.events.length
      ? span.events.map((e) => ({
          name: e.name,
          timeUnixNano: e.timeUnixNano.toString(),
          attributes: plainAttributes(e.attributes),
        }))
      : undefined,
    links: span.links.length
      ? span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: plainAttributes(l.attributes) }))
      : undefined,
    dropped:
      span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount
        ? {
            attributes: span.droppedAttributesCount,
            events: span.droppedEventsCount,
            links: span.droppedLinksCount,
          }
        : undefined,
  };
  if (includeResource) view.resource = plainAttributes(span.resource.attributes);
  return view;
}

function plainAttributes(attributes: Attributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of attributes) out[key] = plainValue(value);
  return out;
}

function plainValue(value: AnyValue): unknown {
  switch (value.type) {
    case 'int':
      return Number.isSafeInteger(Number(value.value)) ? Number(value.value) : value.value.toString();
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'array':
      return value.value.map(plainValue);
    case 'kvlist':
      return plainAttributes(value.value);
    case 'empty':
      return null;
    default:
      return value.value;
  }
}
