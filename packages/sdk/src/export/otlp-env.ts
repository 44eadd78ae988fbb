import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { parseHeaderList } from './http-post.js';

// The OTLP exporter variables both OTLP exporters (HTTP and gRPC) read: the
// per-signal TRACES_ variable wins over the general one, as the spec says.

export function otlpTimeoutFromEnv(env: Env): number | undefined {
  return numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
}

export function otlpCompressionFromEnv(env: Env): string | undefined {
  return (
    stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? stringFromEnv(env, 'OTEL_EXPORTER_OTLP_COMPRESSION')
  );
}

/** Both header lists, the per-signal one overriding, then `extra` (the exporter's options) over both. */
export function otlpHeadersFromEnv(env: Env, extra?: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
    ...extra,
  };
}
