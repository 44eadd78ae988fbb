import { type Context, type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/api';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
const VALID_TRACE_ID = /^[0-9a-f]{32}$/i;

/**
 * Samples a fixed share of traces, deciding from the trace id alone so every
 * service of a trace agrees. The algorithm is OpenTelemetry JS's
 * (TraceIdRatioBasedSampler): the four 32-bit words of the id are XORed and
 * compared with ratio × 0xffffffff, so an Ariadne service and an OTel JS
 * service with the same ratio make the same decision for the same trace.
 */
export class TraceIdRatioSampler implements Sampler {
  readonly ratio: number;
  private readonly upperBound: number;

  constructor(ratio = 0) {
    this.ratio = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
    this.upperBound = this.ratio === 1 ? 0x100000000 : Math.floor(this.ratio * 0xffffffff);
  }

  shouldSample(_context: Context, traceId: string): SamplingResult {
    if (!VALID_TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return DROPPED;
    return accumulate(traceId) < this.upperBound ? SAMPLED : DROPPED;
  }

  toString(): string {
    return `TraceIdRatioSampler{${this.ratio}}`;
  }
}

function accumulate(traceId: string): number {
  let accumulation = 0;
  for (let i = 0; i < 32; i += 8) {
    let part = 0;
    for (let j = 0; j < 8; j++) {
      const c = traceId.charCodeAt(i + j);
      part = (part << 4) | (c < 58 ? c - 48 : c < 71 ? c - 55 : c - 87);
    }
    accumulation = (accumulation ^ part) >>> 0;
  }
  return accumulation;
}
