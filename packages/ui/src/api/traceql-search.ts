import type { ApiClient } from './api-client.js';
import { ApiError } from './api-error.js';

/** One hit of Tempo's `/api/search`: a summary, not the spans. */
export interface TraceQlHit {
  readonly traceId: string;
  readonly rootServiceName: string;
  readonly rootTraceName: string;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
  readonly matchedSpans: number;
}

/** Tempo's `GET /api/search?q=&start=&end=&limit=` (start/end in seconds). */
export async function searchTraceQl(
  client: ApiClient,
  q: string,
  startSeconds: number,
  endSeconds: number,
  limit: number,
  signal?: AbortSignal,
): Promise<TraceQlHit[]> {
  const params = new URLSearchParams({
    q,
    start: String(Math.floor(startSeconds)),
    end: String(Math.ceil(endSeconds)),
    limit: String(limit),
  });
  const body = (await client.getJson(`/api/search?${params}`, signal)) as { traces?: unknown };
  if (!Array.isArray(body?.traces)) throw new ApiError('InvalidResponse', 'search: no "traces" list');
  return body.traces.map((t) => {
    const hit = t as Record<string, unknown>;
    const spanSets = (hit.spanSets ?? (hit.spanSet === undefined ? [] : [hit.spanSet])) as { matched?: number }[];
    return {
      traceId: String(hit.traceID ?? ''),
      rootServiceName: String(hit.rootServiceName ?? ''),
      rootTraceName: String(hit.rootTraceName ?? ''),
      startTime: Number(BigInt(String(hit.startTimeUnixNano ?? '0')) / 1000n),
      duration: Number(hit.durationMs ?? 0) * 1000,
      matchedSpans: spanSets.reduce((sum, s) => sum + Number(s.matched ?? 0), 0),
    };
  });
}

/** Tempo's `/api/v2/search/tags`: attribute names by scope, as `resource.x`, `span.y` and intrinsics. */
export async function getTraceQlTags(client: ApiClient, signal?: AbortSignal): Promise<string[]> {
  const body = (await client.getJson('/api/v2/search/tags', signal)) as {
    scopes?: { name: string; tags: string[] }[];
  };
  const out: string[] = [];
  for (const scope of body?.scopes ?? []) {
    for (const tag of scope.tags ?? []) out.push(scope.name === 'intrinsic' ? tag : `${scope.name}.${tag}`);
  }
  return [...new Set(out)].sort();
}

/** Tempo's `/api/v2/search/tag/{name}/values`, each as TraceQL writes it (strings quoted). */
export async function getTraceQlTagValues(client: ApiClient, tag: string, signal?: AbortSignal): Promise<string[]> {
  const body = (await client.getJson(`/api/v2/search/tag/${encodeURIComponent(tag)}/values`, signal)) as {
    tagValues?: { type: string; value: string }[];
  };
  return (body?.tagValues ?? []).map((v) => (v.type === 'string' ? JSON.stringify(v.value) : v.value));
}
