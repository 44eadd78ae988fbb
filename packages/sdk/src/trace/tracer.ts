import type { SpanKind } from '@ariadne/protocol';
import {
  type Span as ApiSpan,
  type SpanKind as ApiSpanKind,
  type Attributes,
  type Context,
  context as contextApi,
  type Link,
  ROOT_CONTEXT,
  type Sampler,
  SamplingDecision,
  type SpanContext,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TraceState,
  trace,
} from '@opentelemetry/api';
import { setSpanLayer } from '../context/layered-context.js';
import { getJaegerDebugId } from '../propagation/debug-context.js';
import { type IdGenerator, randomIdGenerator } from './random-ids.js';
import { RecordingSpan, type SpanOwner } from './recording-span.js';

/** The key OpenTelemetry's `suppressTracing()` sets (createContextKey is Symbol.for), honoured by exporters' own requests. */
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
/** The api's key for the active span (createContextKey is Symbol.for): read directly instead of through trace.getSpanContext. */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const INVALID_CONTEXT: SpanContext = Object.freeze({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: TraceFlags.NONE,
});
/**
 * W3C Trace Context level 2's random-trace-id flag: a child that keeps its
 * parent's trace id MUST keep the parent's flag, set or unset, since it
 * vouches for the trace id, which does not change.
 */
const TRACE_FLAG_RANDOM = 0x02;
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

function isValidParent(parent: SpanContext | undefined): parent is SpanContext {
  return (
    parent !== undefined &&
    TRACE_ID.test(parent.traceId) &&
    parent.traceId !== '00000000000000000000000000000000' &&
    SPAN_ID.test(parent.spanId) &&
    parent.spanId !== '0000000000000000'
  );
}

export interface TracerSettings extends SpanOwner {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
}

/**
 * Implements the api Tracer. Sampling happens before anything is allocated
 * for the span; a span that is not recorded is the api's non-recording span
 * carrying a valid context, so propagation still works.
 */
export class AriadneTracer implements Tracer {
  /** The built-in generator's ids are always valid, so its spans skip the check when they become parents. */
  private readonly trustedIds: boolean;

  constructor(private readonly settings: TracerSettings) {
    this.trustedIds = settings.idGenerator === randomIdGenerator;
  }

  startSpan(name: string, options?: SpanOptions, context: Context = contextApi.active()): ApiSpan {
    if (options?.root) context = trace.deleteSpan(context);
    const settings = this.settings;
    let parent: SpanContext | undefined;
    let parentIsValid = false;
    // The root context holds nothing (no suppression, parent or debug id): skip the three lookups.
    if (context !== ROOT_CONTEXT) {
      if (context.getValue(SUPPRESS_TRACING_KEY) === true) return trace.wrapSpanContext(INVALID_CONTEXT);
      const parentSpan = context.getValue(SPAN_KEY) as ApiSpan | undefined;
      if (parentSpan) {
        parent = parentSpan.spanContext();
        // Our own spans checked their ids once when they started; anything else is checked here.
        parentIsValid = parentSpan instanceof RecordingSpan ? parentSpan.hasValidIds : isValidParent(parent);
      }
    }
    const spanId = settings.idGenerator.generateSpanId();
    const apiKind: ApiSpanKind = options?.kind ?? 0;
    let traceId: string;
    let parentSpanId = '';
    let parentFlags = FLAG_HAS_IS_REMOTE;
    let inheritedTraceFlags = 0;
    let traceState: TraceState | undefined;
    let debugId: string | undefined;
    if (parentIsValid) {
      const valid = parent as SpanContext;
      traceId = valid.traceId;
      parentSpanId = valid.spanId;
      traceState = valid.traceState;
      inheritedTraceFlags = valid.traceFlags & TRACE_FLAG_RANDOM;
      if (valid.isRemote) parentFlags |= FLAG_IS_REMOTE;
    } else {
      traceId = settings.idGenerator.generateTraceId();
      if (context !== ROOT_CONTEXT) debugId = getJaegerDebugId(context);
    }
    const attributes = options?.attributes ?? NO_ATTRIBUTES;
    const links = options?.links ?? NO_LINKS;
    let decision: SamplingDecision;
    let samplerAttributes: Attributes | undefined;
    if (debugId !== undefined) decision = SamplingDecision.RECORD_AND_SAMPLED;
    else {
      const result = settings.sampler.shouldSample(context, traceId, name, apiKind, attributes, links);
      decision = result.decision;
      samplerAttributes = result.attributes;
      if (result.traceState !== undefined) traceState = result.traceState;
    }
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags:
        (decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE) | inheritedTraceFlags,
      traceState,
    };
    if (decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);

    const span = new RecordingSpan(
      settings,
      spanContext,
      parentSpanId,
      parentFlags,
      name,
      (apiKind + 1) as SpanKind,
      options?.startTime,
      this.trustedIds || isValidParent(spanContext),
    );
    if (attributes !== NO_ATTRIBUTES) span.setAttributes(attributes);
    if (samplerAttributes !== undefined) span.setAttributes(samplerAttributes);
    if (debugId !== undefined) span.setAttribute('jaeger-debug-id', debugId);
    if (links !== NO_LINKS) span.addLinks(links);
    try {
      settings.processor.onStart(span, context);
    } catch {
      // A processor's failure must not break the application's request.
    }
    return span;
  }

  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let parent: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else if (typeof c === 'function') {
      options = a;
      parent = b;
      fn = c;
    } else return undefined;
    const parentContext = parent ?? contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    // A layer over the parent instead of trace.setSpan, which copies the parent's whole Map for every span.
    return contextApi.with(setSpanLayer(parentContext, span), fn as (span: ApiSpan) => ReturnType<F>, undefined, span);
  }
}
