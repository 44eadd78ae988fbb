import { diag } from '@opentelemetry/api';
import { type Env, listFromEnv, stringFromEnv } from '../trace/env.js';
import { ConsoleSpanExporter } from './console-span-exporter.js';
import { JaegerAgentExporter } from './jaeger-agent-exporter.js';
import { JaegerHttpExporter } from './jaeger-http-exporter.js';
import { OtlpGrpcExporter } from './otlp-grpc-exporter.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
import type { SpanExporter } from './span-exporter.js';
import { ZipkinExporter } from './zipkin-exporter.js';

export interface NamedExporter {
  /** The OTEL_TRACES_EXPORTER name that chose it: `otlp`, `zipkin`, `jaeger` or `console`. */
  readonly name: string;
  readonly exporter: SpanExporter;
}

/**
 * The exporters OTEL_TRACES_EXPORTER names (default `otlp`; `none` and
 * unknown names give nothing, the latter with a warning). `TRACES_EXPORTER`
 * and `TRACES_EXPORTER_JAEGER_*` are accepted as aliases (the demo's
 * spelling). How each one reads its own variables:
 * - `otlp`: OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL `grpc` for OTLP/gRPC, else
 *   OTLP/HTTP (`http/protobuf` default, `http/json`).
 * - `jaeger`: OTEL_EXPORTER_JAEGER_PROTOCOL `http/thrift.binary`, or an
 *   OTEL_EXPORTER_JAEGER_ENDPOINT, for the collector over HTTP; else the
 *   agent over UDP (OTEL_EXPORTER_JAEGER_AGENT_HOST/PORT).
 * - `zipkin`: OTEL_EXPORTER_ZIPKIN_ENDPOINT.
 */
export function exportersFromEnv(env: Env = process.env): NamedExporter[] {
  const names = listFromEnv(env, 'OTEL_TRACES_EXPORTER') ?? listFromEnv(env, 'TRACES_EXPORTER') ?? ['otlp'];
  const out: NamedExporter[] = [];
  for (const name of names) {
    const exporter = exporterNamed(name, env);
    if (exporter !== undefined) out.push({ name, exporter });
  }
  return out;
}

function exporterNamed(name: string, env: Env): SpanExporter | undefined {
  switch (name) {
    case 'otlp': {
      const protocol =
        stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? stringFromEnv(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
      return protocol === 'grpc' ? new OtlpGrpcExporter({ env }) : new OtlpHttpExporter({ env });
    }
    case 'zipkin':
      return new ZipkinExporter({ env });
    case 'jaeger': {
      const protocol = stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_PROTOCOL');
      const endpoint =
        stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_ENDPOINT') ?? stringFromEnv(env, 'TRACES_EXPORTER_JAEGER_ENDPOINT');
      if (protocol === 'http/thrift.binary' || (protocol === undefined && endpoint !== undefined)) {
        return new JaegerHttpExporter({ env });
      }
      return new JaegerAgentExporter({ env });
    }
    case 'console':
      return new ConsoleSpanExporter();
    case 'none':
      return undefined;
    default:
      diag.warn(`OTEL_TRACES_EXPORTER "${name}" is not supported; spans are not exported there`);
      return undefined;
  }
}
