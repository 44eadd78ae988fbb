import { context, trace } from '@opentelemetry/api';

export type LogFields = Readonly<Record<string, string | number | boolean>>;

/**
 * Log correlation: one JSON line per message carrying the active span's
 * `trace_id` and `span_id`, so a log line leads to its trace and back. The
 * SDK has no logging helper (and pino is not a dependency), so the demos
 * keep this small one; its field names are pino's and OpenTelemetry's.
 */
export class JsonLogger {
  constructor(
    private readonly service: string,
    private readonly stream: { write(chunk: string): unknown } = process.stdout,
  ) {}

  info(msg: string, fields: LogFields = {}): void {
    this.write('info', msg, fields);
  }

  error(msg: string, fields: LogFields = {}): void {
    this.write('error', msg, fields);
  }

  private write(level: string, msg: string, fields: LogFields): void {
    const span = trace.getSpanContext(context.active());
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service, msg };
    if (span !== undefined) {
      line.trace_id = span.traceId;
      line.span_id = span.spanId;
    }
    this.stream.write(`${JSON.stringify({ ...line, ...fields })}\n`);
  }
}
