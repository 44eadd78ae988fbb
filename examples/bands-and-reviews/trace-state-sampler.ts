import { W3cTraceState } from '@ariadne/sdk';
import {
  type Attributes,
  type Context,
  type Link,
  type Sampler,
  type SamplingResult,
  type SpanKind,
  trace,
} from '@opentelemetry/api';

/**
 * Adds the service's own `tracestate` member to every span it starts, as a
 * vendor updates its entry in the W3C tracestate header (moved to the front,
 * the rest kept); the decision itself is the wrapped sampler's.
 */
export class TraceStateSampler implements Sampler {
  constructor(
    private readonly inner: Sampler,
    private readonly key: string,
    private readonly value: string,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    const parentState = trace.getSpanContext(context)?.traceState;
    const base =
      parentState === undefined
        ? W3cTraceState.empty()
        : (W3cTraceState.parse(parentState.serialize()) ?? W3cTraceState.empty());
    return { ...result, traceState: base.set(this.key, this.value) };
  }

  toString(): string {
    return `TraceStateSampler{${this.key}=${this.value}, ${this.inner.toString()}}`;
  }
}
