import { traceLogFields } from './trace-log-fields.js';

/** The console methods the helper wraps. */
export type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
export type CorrelatedConsole = Pick<Console, ConsoleMethod>;

/** `trace_id=… span_id=… trace_flags=…` (logfmt, which Loki's and Grafana's derived fields parse), or '' outside a span. */
export function traceLogPrefix(): string {
  const fields = traceLogFields();
  return fields === undefined
    ? ''
    : `trace_id=${fields.trace_id} span_id=${fields.span_id} trace_flags=${fields.trace_flags}`;
}

/**
 * Logs through `target` with the active span's ids put first on the line;
 * outside a span the line is unchanged. When the first argument is a format
 * string (`%s`, `%d`...) the ids are prepended to it so the placeholders
 * still line up with their arguments.
 */
export function logWithTrace(method: ConsoleMethod, target: CorrelatedConsole, ...args: unknown[]): void {
  const prefix = traceLogPrefix();
  if (prefix === '') target[method](...args);
  else if (typeof args[0] === 'string') target[method](`${prefix} ${args[0]}`, ...args.slice(1));
  else target[method](prefix, ...args);
}

/**
 * A console whose `log`, `info`, `warn`, `error`, `debug` and `trace`
 * prefix each line with the active span's ids: `const log = correlatedConsole();
 * log.info('charged %d', cents)` → `trace_id=4bf9… span_id=00f0… trace_flags=01 charged 42`.
 */
export function correlatedConsole(target: CorrelatedConsole = console): CorrelatedConsole {
  const wrap =
    (method: ConsoleMethod) =>
    (...args: unknown[]): void =>
      logWithTrace(method, target, ...args);
  return {
    log: wrap('log'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    debug: wrap('debug'),
    trace: wrap('trace'),
  };
}
