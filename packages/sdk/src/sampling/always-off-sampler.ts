import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/api';

const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** Records nothing; contexts still propagate (unsampled). */
export class AlwaysOffSampler implements Sampler {
  shouldSample(): SamplingResult {
    return DROPPED;
  }
  toString(): string {
    return 'AlwaysOffSampler';
  }
}
