import { AriadneError } from '@ariadne/protocol';
import type { TimeRange } from '../span-store.js';

export function validateTimeRange(range: TimeRange): void {
  if (range.startNanos > range.endNanos) throw new AriadneError('InvalidQuery', 'time range starts after it ends');
}
