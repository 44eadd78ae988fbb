import { diag, type Sampler } from '@opentelemetry/api';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { AlwaysOffSampler } from './always-off-sampler.js';
import { AlwaysOnSampler } from './always-on-sampler.js';
import { JaegerRemoteSampler } from './jaeger-remote-sampler.js';
import { ParentBasedSampler } from './parent-based-sampler.js';
import { RateLimitingSampler } from './rate-limiting-sampler.js';
import { TraceIdRatioSampler } from './trace-id-ratio-sampler.js';

/**
 * OTEL_TRACES_SAMPLER with OTEL_TRACES_SAMPLER_ARG, as the OTel SDK reads
 * them (an unknown name or bad ratio falls back to parent-based always-on /
 * ratio 1), plus `ratelimiting` and `parentbased_ratelimiting` whose argument
 * is spans per second (Jaeger's sampler type of that name), and
 * `jaeger_remote` / `parentbased_jaeger_remote` whose argument is
 * `endpoint=...,pollingIntervalMs=...,initialSamplingRate=...`.
 */
export function samplerFromEnv(env: Env = process.env): Sampler {
  const name = stringFromEnv(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  const ratio = () => {
    const value = numberFromEnv(env, 'OTEL_TRACES_SAMPLER_ARG');
    if (value === undefined || value < 0 || value > 1) return 1;
    return value;
  };
  const rate = () => {
    const value = numberFromEnv(env, 'OTEL_TRACES_SAMPLER_ARG');
    return value === undefined || value < 0 ? 1 : value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'traceidratio':
      return new TraceIdRatioSampler(ratio());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioSampler(ratio()) });
    case 'ratelimiting':
      return new RateLimitingSampler({ spansPerSecond: rate() });
    case 'parentbased_ratelimiting':
      return new ParentBasedSampler({ root: new RateLimitingSampler({ spansPerSecond: rate() }) });
    case 'jaeger_remote':
      return jaegerRemoteFromEnv(env);
    case 'parentbased_jaeger_remote':
      return new ParentBasedSampler({ root: jaegerRemoteFromEnv(env) });
    default:
      diag.error(`OTEL_TRACES_SAMPLER value "${name}" is unknown; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function jaegerRemoteFromEnv(env: Env): JaegerRemoteSampler {
  const args = new Map<string, string>();
  for (const pair of stringFromEnv(env, 'OTEL_TRACES_SAMPLER_ARG')?.split(',') ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0) args.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const number = (key: string) => {
    const value = Number(args.get(key) ?? Number.NaN);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const interval = number('pollingIntervalMs');
  const rate = number('initialSamplingRate');
  const endpoint = args.get('endpoint');
  return new JaegerRemoteSampler({
    serviceName: serviceNameFromEnv(env),
    ...(endpoint ? { endpoint } : {}),
    ...(interval !== undefined && interval > 0 ? { pollingIntervalMillis: interval } : {}),
    ...(rate !== undefined && rate <= 1 ? { initialSamplingRate: rate } : {}),
  });
}

/** The sampler is built before the resource; the service name comes from the same variables the resource reads. */
function serviceNameFromEnv(env: Env): string {
  const named = stringFromEnv(env, 'OTEL_SERVICE_NAME');
  if (named !== undefined) return named;
  for (const pair of stringFromEnv(env, 'OTEL_RESOURCE_ATTRIBUTES')?.split(',') ?? []) {
    const [key, value] = pair.split('=');
    if (key?.trim() === 'service.name' && value !== undefined && value.trim() !== '') {
      try {
        return decodeURIComponent(value.trim());
      } catch {
        return value.trim();
      }
    }
  }
  return 'unknown_service:node';
}
