import { StatusCode } from '@ariadne/protocol';
import type { SpanMatcher } from '../query/span-matches-query.js';
import type { TraceQuery } from '../span-store.js';
import type { BlockReader } from './block-file.js';

/**
 * Trace ids of a block with a span matching the query. Work grows only as far
 * as the query needs: block metadata (time, services, operation names) skips
 * whole blocks, page metadata skips pages, the search columns answer
 * service / operation / kind / status / duration / time, and span rows are
 * decoded only for pages with candidates when attribute predicates remain.
 */
export async function searchBlock(block: BlockReader, query: TraceQuery, matches: SpanMatcher): Promise<Set<string>> {
  const found = new Set<string>();
  const { startNanos, endNanos } = query.timeRange;
  if (block.maxStart < startNanos || block.minStart > endNanos) return found;
  if (query.service !== undefined && !block.hasService(query.service)) return found;
  if (query.operation !== undefined && !block.hasOperationName(query.operation)) return found;
  const service = query.service === undefined ? -1 : block.meta.services.indexOf(query.service);
  const name = query.operation === undefined ? -1 : await block.stringIndex(query.operation);
  const kind = query.spanKind ?? -1;
  const { minDurationNanos, maxDurationNanos, errorsOnly } = query;
  const needsRows = (query.attributes?.length ?? 0) > 0;

  for (const [page, meta] of block.meta.pages.entries()) {
    if (BigInt(meta.maxStartNanos) < startNanos || BigInt(meta.minStartNanos) > endNanos) continue;
    if (service !== -1 && !meta.services.includes(service)) continue;
    const columns = await block.readColumns(page);
    const candidates = new Set<number>();
    for (let i = 0; i < columns.count; i++) {
      const start = columns.start[i]!;
      if (start < startNanos || start > endNanos) continue;
      if (service !== -1 && columns.service[i] !== service) continue;
      if (name !== -1 && columns.name[i] !== name) continue;
      if (kind !== -1 && columns.kind[i] !== kind) continue;
      if (errorsOnly && columns.status[i] !== StatusCode.Error) continue;
      const duration = columns.duration[i]!;
      if (minDurationNanos !== undefined && duration < minDurationNanos) continue;
      if (maxDurationNanos !== undefined && duration > maxDurationNanos) continue;
      candidates.add(columns.trace[i]!);
    }
    if (candidates.size === 0) continue;
    if (!needsRows) {
      for (const ordinal of candidates) found.add(block.traceId(ordinal));
      continue;
    }
    const candidateIds = new Set([...candidates].map((ordinal) => block.traceId(ordinal)));
    for (const span of await block.readPage(page)) {
      if (candidateIds.has(span.traceId) && !found.has(span.traceId) && matches(span)) found.add(span.traceId);
    }
  }
  return found;
}
