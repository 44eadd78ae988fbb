import type { JaegerTrace } from '@ariadne/protocol';
import { useQuery } from '@tanstack/react-query';
import { getLocalTrace } from '../trace/local-traces.js';
import type { SpanColumns } from '../trace/span-columns.js';
import { useApiClient } from './api-client-context.js';

/** A trace as the trace page holds it. */
export interface TraceViewData {
  readonly trace: JaegerTrace;
  /**
   * The spans carry only the timeline's fields (the server's skeleton): a
   * span's details, find-in-trace and downloads ask the server for the rest.
   * False for a trace opened from a file, which the page holds whole.
   */
  readonly partial: boolean;
  /** The spans as the server sent them (a skeleton's columns); undefined for a file's trace. */
  readonly columns: SpanColumns | undefined;
}

/**
 * The trace page's trace: one opened from a file in this tab, else the
 * server's skeleton, which a 100,000-span trace can be opened from in a
 * second where its full Jaeger JSON takes many.
 */
export function useTraceView(traceId: string) {
  const client = useApiClient();
  return useQuery({
    queryKey: ['trace-view', traceId],
    queryFn: async ({ signal }): Promise<TraceViewData> => {
      const local = getLocalTrace(traceId);
      if (local !== undefined) return { trace: local, partial: false, columns: undefined };
      const { trace, columns } = await client.getTraceSkeleton(traceId, signal);
      return { trace, partial: true, columns };
    },
    enabled: traceId !== '',
    // A trace is never changed once read, and comparing a refetched one with the last, span by span
    // (React Query's default), would make and walk every span of a million.
    structuralSharing: false,
  });
}
