import { pino } from 'pino';

/** The server's logger: pino's, so every line is a level, a time, a message and its context. */
export type Logger = pino.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** `json`: one JSON object a line (for collectors such as Loki or journald); `text`: for people. Default json. */
  readonly format?: LogFormat;
  /** Where lines go; default stderr (stdout carries the ready banner). */
  readonly write?: (line: string) => void;
  /**
   * Values that must never reach a log, whatever carried them (a ClickHouse
   * password in an error message, say): replaced in every line, after it is
   * formatted, so no path through the logger can leak them.
   */
  readonly secrets?: readonly (string | undefined)[];
}

const REDACTED = '[redacted]';

/**
 * Keys whose values are secrets wherever they appear in a log's context:
 * redacted by pino before the line is written (a config object, a request's
 * headers).
 */
const SECRET_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-clickhouse-key"]',
  '*.headers["x-clickhouse-key"]',
];

/**
 * Secrets written into text rather than into a key: a URL's `user:password@`
 * and `password=`, `token=`, `api_key=` or `secret=` parameters, and Authorization values.
 */
export function scrubSecretsInText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi, `$1${REDACTED}@`)
    .replace(/\b((?:password|passwd|token|api_key|secret)=)[^&\s"']*/gi, `$1${REDACTED}`)
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}

/**
 * A logger for the server. Every line passes through the secret scrubber
 * last, whatever the format: structured redaction handles known keys, the
 * text scrubber URLs and headers in messages, and `secrets` the exact values
 * the process was given (they may hide in any message).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const secrets = (options.secrets ?? []).filter((secret): secret is string => secret !== undefined && secret !== '');
  const format = options.format ?? 'json';
  const scrub = (line: string): string => {
    let out = scrubSecretsInText(line);
    for (const secret of secrets) {
      // A secret may appear as is or escaped inside a JSON string.
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(REDACTED);
    }
    return out;
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_PATHS, censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(scrub(format === 'text' ? textLine(line) : line)) },
  );
}

/** A logger that writes nothing (tests and library callers that do not log). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Keys every line has, shown in the text format's prefix rather than as `key=value`. */
const PREFIX_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * One JSON line as text for people: `time LEVEL message key=value ...`, with
 * an error's message inline and its stack on the lines below.
 */
export function textLine(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const parts = [
    String(record.time ?? ''),
    String(record.level ?? '')
      .toUpperCase()
      .padEnd(5),
    String(record.msg ?? ''),
  ];
  let stack = '';
  for (const [key, value] of Object.entries(record)) {
    if (PREFIX_KEYS.has(key)) continue;
    if ((key === 'err' || key === 'error') && typeof value === 'object' && value !== null) {
      const error = value as { message?: unknown; stack?: unknown };
      parts.push(`${key}=${JSON.stringify(String(error.message ?? ''))}`);
      if (typeof error.stack === 'string') stack = `\n${error.stack.replace(/^/gm, '    ')}`;
      continue;
    }
    parts.push(`${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`);
  }
  return `${parts.join(' ')}${stack}\n`;
}

/** The format when none is asked for: text for a person at a terminal, JSON for a machine reading a pipe or file. */
export function defaultLogFormat(stream: { readonly isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? 'text' : 'json';
}

/** The message of anything thrown, for a log line's text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
