import type { InstrumentationScope, Resource } from '@ariadne/protocol';
import type { Sampler, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { combineProcessors } from '../processing/multi-span-processor.js';
import type { SpanProcessor } from '../processing/span-processor.js';
import { detectResource } from '../resource/detect-resource.js';
import { samplerFromEnv } from '../sampling/sampler-from-env.js';
import { RecentEntries } from './attribute-values.js';
import { type IdGenerator, randomIdGenerator } from './random-ids.js';
import { resolveSpanLimits, type SpanLimits } from './span-limits.js';
import { AriadneTracer } from './tracer.js';

export interface TracerProviderOptions {
  /** Default: `detectResource()` (host, process, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES). */
  readonly resource?: Resource;
  /** Default: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, else parent-based always-on. */
  readonly sampler?: Sampler;
  /** Missing limits come from the OTEL_* variables, then OpenTelemetry's defaults. */
  readonly spanLimits?: Partial<SpanLimits>;
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly idGenerator?: IdGenerator;
}

/**
 * Implements the api TracerProvider. Tracers are cached per
 * (name, version, schemaUrl), so every span of one tracer shares one scope
 * object and every span of the provider one resource object.
 */
export class AriadneTracerProvider implements TracerProvider {
  readonly resource: Resource;
  private readonly sampler: Sampler;
  private readonly limits: SpanLimits;
  private readonly processors: SpanProcessor[];
  private readonly idGenerator: IdGenerator;
  private readonly processor: SpanProcessor;
  private readonly tracers = new Map<string, AriadneTracer>();

  constructor(options: TracerProviderOptions = {}) {
    this.resource = options.resource ?? detectResource();
    this.sampler = options.sampler ?? samplerFromEnv();
    this.limits = resolveSpanLimits(options.spanLimits);
    this.processors = [...(options.spanProcessors ?? [])];
    this.idGenerator = options.idGenerator ?? randomIdGenerator;
    this.processor = combineProcessors(this.processors);
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      const scope: InstrumentationScope = Object.freeze({
        name,
        version: version ?? '',
        attributes: Object.freeze([]),
        droppedAttributesCount: 0,
      });
      tracer = new AriadneTracer({
        resource: this.resource,
        scope,
        limits: this.limits,
        recentEntries: new RecentEntries(this.limits.attributeValueLengthLimit),
        processor: this.processor,
        sampler: this.sampler,
        idGenerator: this.idGenerator,
      });
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** Resolves once every span ended so far has gone through every processor (exported). */
  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  /** Flushes and shuts every processor down; spans ended afterwards are ignored by the processors. */
  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}
