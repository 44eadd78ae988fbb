import { withOverrides } from '../query/with-overrides.js';
import type { SpanReader, TraceQuery } from '../storage/span-store.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { TenantLimiter } from './tenant-limiter.js';

/**
 * One tenant's reader whose searches (`findTraces`, what every query API's
 * search and TraceQL query comes down to, once per request) count against the
 * tenant's concurrent-search limit and its longest search window. Wrapping
 * the reader, rather than each API, puts the limit on every API at once and
 * checks the window in one unit (nanoseconds) whatever each API's parameters
 * were. Other reads (a trace by id, services) are not searches and pass.
 */
export function limitSearches<Reader extends SpanReader>(
  reader: Reader,
  tenant: TenantId,
  limiter: TenantLimiter,
): Reader {
  const findTraces = async (query: TraceQuery) => {
    const release = limiter.startSearch(tenant, query.timeRange);
    try {
      return await reader.findTraces(query);
    } finally {
      release();
    }
  };
  return withOverrides(reader, new Map([['findTraces', findTraces]]));
}
