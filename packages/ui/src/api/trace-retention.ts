import type { JaegerTrace } from '@ariadne/protocol';

/** The server's word that a trace is in the kept retention tier, and the policy that kept it. */
export interface TraceRetention {
  readonly tier: 'kept';
  readonly keptBy: string;
}

/** A trace's `retention` field as the server sends it; undefined when absent or not understood (an older or newer server). */
export function readRetention(value: unknown): TraceRetention | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tier, keptBy } = value as Record<string, unknown>;
  if (tier !== 'kept' || typeof keptBy !== 'string') return undefined;
  return { tier, keptBy };
}

/** The trace with its retention tier, when the server named one. */
export function withRetention<T extends JaegerTrace>(trace: T, value: unknown): T {
  const retention = readRetention(value);
  return retention === undefined ? trace : Object.assign(trace, { retention });
}

export function retentionOf(trace: JaegerTrace): TraceRetention | undefined {
  return readRetention((trace as { retention?: unknown }).retention);
}
