import type { JaegerTrace } from '@ariadne/protocol';

/**
 * Traces opened from a file live only in this tab: the trace page looks here
 * before asking the server, so `/trace/{id}` works for them like for any other.
 */
const traces = new Map<string, JaegerTrace>();

export function addLocalTrace(trace: JaegerTrace): void {
  traces.set(trace.traceID.toLowerCase(), trace);
}

export function getLocalTrace(traceId: string): JaegerTrace | undefined {
  const id = traceId.toLowerCase();
  return traces.get(id) ?? traces.get(id.replace(/^0+/, '').padStart(16, '0')) ?? traces.get(id.padStart(32, '0'));
}
