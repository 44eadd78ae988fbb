import {
  type Attributes,
  type Context,
  type Link,
  type Sampler,
  type SamplingResult,
  type SpanKind,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { isDebug } from '../propagation/debug-context.js';
import { AlwaysOffSampler } from './always-off-sampler.js';
import { AlwaysOnSampler } from './always-on-sampler.js';

export interface ParentBasedSamplerOptions {
  /** Decides for root spans. */
  readonly root: Sampler;
  readonly remoteParentSampled?: Sampler;
  readonly remoteParentNotSampled?: Sampler;
  readonly localParentSampled?: Sampler;
  readonly localParentNotSampled?: Sampler;
}

const VALID_TRACE_ID = /^[0-9a-f]{32}$/;
const VALID_SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * Follows the parent's decision (OpenTelemetry's ParentBased): sampled
 * parents give sampled children, unsampled ones unsampled children; the
 * root sampler decides only for traces that start here. A remote parent
 * marked debug (B3 `d`, Jaeger flag 2) counts as sampled.
 */
export class ParentBasedSampler implements Sampler {
  private readonly root: Sampler;
  private readonly remoteParentSampled: Sampler;
  private readonly remoteParentNotSampled: Sampler;
  private readonly localParentSampled: Sampler;
  private readonly localParentNotSampled: Sampler;

  constructor(options: ParentBasedSamplerOptions) {
    this.root = options.root;
    this.remoteParentSampled = options.remoteParentSampled ?? new AlwaysOnSampler();
    this.remoteParentNotSampled = options.remoteParentNotSampled ?? new AlwaysOffSampler();
    this.localParentSampled = options.localParentSampled ?? new AlwaysOnSampler();
    this.localParentNotSampled = options.localParentNotSampled ?? new AlwaysOffSampler();
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    let sampler: Sampler;
    if (
      parent === undefined ||
      !VALID_TRACE_ID.test(parent.traceId) ||
      /^0+$/.test(parent.traceId) ||
      !VALID_SPAN_ID.test(parent.spanId) ||
      parent.spanId === '0000000000000000'
    ) {
      sampler = this.root;
    } else {
      const sampled = (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
      if (parent.isRemote) {
        sampler = sampled || isDebug(context) ? this.remoteParentSampled : this.remoteParentNotSampled;
      } else sampler = sampled ? this.localParentSampled : this.localParentNotSampled;
    }
    return sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `ParentBased{root=${this.root}, remoteParentSampled=${this.remoteParentSampled}, remoteParentNotSampled=${this.remoteParentNotSampled}, localParentSampled=${this.localParentSampled}, localParentNotSampled=${this.localParentNotSampled}}`;
  }
}
