// The read side of the tenant isolation tests, shared by the two ways a
// request says whose it is: `X-Scope-OrgID` (--multitenancy) and a token
// (--auth). Tenants A and B have written `tenantSpans(A_MARKS)` and
// `tenantSpans(B_MARKS)`; a test hands in how to read as A and as B, and the
// same endpoints are walked with the same checks either way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  A_MARKS,
  B_MARKS,
  mentionsAnyOf,
  SHARED_TRACE_ID,
  type TenantMarks,
} from '../../packages/server/src/tenancy/testing/tenant-traces.js';

const startSec = Math.floor(Date.now() / 1000) - 3600;
const endSec = Math.floor(Date.now() / 1000) + 60;
const RANGE_US = `start=${startSec * 1_000_000}&end=${endSec * 1_000_000}`;
/** Zipkin's and Jaeger's dependency and metrics ranges: an end in ms and a lookback. */
export const LOOKBACK_MS = `endTs=${endSec * 1000}&lookback=${3600 * 1000 * 2}`;
const TEMPO_RANGE = `start=${startSec}&end=${endSec}`;
const V3_RANGE = `query.start_time_min=${new Date(startSec * 1000).toISOString()}&query.start_time_max=${new Date(endSec * 1000).toISOString()}`;

/** The ports with read APIs. */
export type ReadPort = 'query' | 'tempo' | 'zipkin';

export interface Reply {
  readonly status: number;
  readonly text: string;
}

/** A GET of `path` on `port` as one tenant (with its X-Scope-OrgID, or its token). */
export type Reader = (port: ReadPort, path: string) => Promise<Reply>;

const q = (text: string) => encodeURIComponent(text);

/**
 * Read endpoints by port; each answers both tenants, A's answer naming A's
 * data and B's naming B's where `bothSee` (elsewhere the query names A's own
 * service or attribute, and B's answer must simply show none of it).
 */
export const TENANT_READS: readonly [port: ReadPort, path: string, bothSee: boolean][] = [
  ['query', '/api/services', true],
  ['query', `/api/services/${A_MARKS.service}/operations`, false],
  ['query', `/api/operations?service=${A_MARKS.service}`, false],
  ['query', `/api/traces?service=frontend&${RANGE_US}&limit=20`, true],
  [
    'query',
    `/api/traces?service=frontend&tags=${q(JSON.stringify({ customer: A_MARKS.attributeValue }))}&${RANGE_US}`,
    false,
  ],
  ['query', `/api/traces/${SHARED_TRACE_ID}`, true],
  ['query', `/api/traces?traceID=${A_MARKS.traceId}&traceID=${B_MARKS.traceId}`, true],
  ['query', `/api/dependencies?${LOOKBACK_MS}`, true],
  [
    'query',
    `/api/metrics/calls?service=frontend&service=${A_MARKS.service}&service=${B_MARKS.service}&${LOOKBACK_MS}&step=60000`,
    true,
  ],
  [
    'query',
    `/api/metrics/errors?service=${A_MARKS.service}&service=${B_MARKS.service}&${LOOKBACK_MS}&step=60000`,
    true,
  ],
  ['query', '/api/v3/services', true],
  ['query', `/api/v3/operations?service=${A_MARKS.service}`, false],
  ['query', `/api/v3/traces?query.service_name=frontend&${V3_RANGE}`, true],
  ['query', `/api/v3/traces/${SHARED_TRACE_ID}`, true],
  ['query', `/api/trace-view/${SHARED_TRACE_ID}`, true],
  ['query', `/api/search?q=${q('{ resource.service.name = "frontend" }')}&${TEMPO_RANGE}`, true],
  ['query', `/api/search?tags=${q(`customer=${A_MARKS.attributeValue}`)}&${TEMPO_RANGE}`, false],
  ['query', `/api/v2/traces/${SHARED_TRACE_ID}`, true],
  ['tempo', `/api/search?q=${q('{ resource.service.name = "frontend" }')}&${TEMPO_RANGE}`, true],
  ['tempo', `/api/search?q=${q(`{ span.customer = "${A_MARKS.attributeValue}" }`)}&${TEMPO_RANGE}`, false],
  ['tempo', `/api/traces/${SHARED_TRACE_ID}`, true],
  ['tempo', `/api/v2/traces/${SHARED_TRACE_ID}`, true],
  ['tempo', '/api/search/tag/service.name/values', true],
  ['tempo', '/api/search/tag/customer/values', true],
  ['tempo', '/api/v2/search/tag/resource.service.name/values', true],
  ['tempo', '/api/v2/search/tag/span.customer/values', true],
  ['tempo', `/api/metrics/query_range?q=${q('{ } | rate() by (resource.service.name)')}&${TEMPO_RANGE}&step=60`, true],
  ['tempo', `/api/metrics/query?q=${q('{ } | count_over_time() by (span.customer)')}&${TEMPO_RANGE}`, true],
  ['zipkin', '/api/v2/services', true],
  ['zipkin', `/api/v2/spans?serviceName=${A_MARKS.service}`, false],
  ['zipkin', `/api/v2/traces?serviceName=frontend&${LOOKBACK_MS}&limit=20`, true],
  ['zipkin', `/api/v2/trace/${SHARED_TRACE_ID}`, true],
  ['zipkin', `/api/v2/traceMany?traceIds=${A_MARKS.traceId},${B_MARKS.traceId}`, true],
  ['zipkin', `/api/v2/dependencies?${LOOKBACK_MS}`, true],
];

/** A test name for a read: port, path, and the start of its query. */
export function readName(port: ReadPort, path: string): string {
  const [route, query] = path.split('?');
  return `${port} ${route}${query === undefined ? '' : ` ?${query.slice(0, 60)}`}`;
}

/**
 * What of a tenant's data a response shows, leaving out the trace id the
 * request itself named (an error may repeat it; that tells nothing).
 */
export function leakOf(text: string, path: string, marks: TenantMarks = A_MARKS): string | undefined {
  return mentionsAnyOf(path.includes(marks.traceId) ? text.replaceAll(marks.traceId, '<asked>') : text, marks);
}

/** One test per `TENANT_READS` endpoint: A finds its own data and nothing of B's, B its own and nothing of A's. */
export function testTenantReads(asA: Reader, asB: Reader): void {
  for (const [port, path, bothSee] of TENANT_READS) {
    test(readName(port, path), async () => {
      const fromA = await asA(port, path);
      const fromB = await asB(port, path);
      assert.ok(
        mentionsAnyOf(fromA.text, A_MARKS),
        `A finds its own data: ${fromA.status} ${fromA.text.slice(0, 300)}`,
      );
      assert.ok([200, 404].includes(fromB.status), `B: ${fromB.status} ${fromB.text.slice(0, 300)}`);
      const leaked = leakOf(fromB.text, path);
      assert.equal(leaked, undefined, `B's answer shows A's "${leaked}": ${fromB.text.slice(0, 500)}`);
      if (bothSee) assert.ok(mentionsAnyOf(fromB.text, B_MARKS), `B finds its own data: ${fromB.text.slice(0, 300)}`);
      assert.equal(leakOf(fromA.text, path, B_MARKS), undefined, "and A nothing of B's");
    });
  }
}

/** Every read of one trace by id (and of one of its spans), on every port. */
export function traceByIdReads(traceId: string, spanId: string): [port: ReadPort, path: string][] {
  return [
    ['query', `/api/traces/${traceId}`],
    ['query', `/api/v3/traces/${traceId}`],
    ['query', `/api/v2/traces/${traceId}`],
    ['query', `/api/trace-view/${traceId}`],
    ['query', `/api/trace-view/${traceId}/spans/${spanId}`],
    ['tempo', `/api/traces/${traceId}`],
    ['tempo', `/api/v2/traces/${traceId}`],
    ['zipkin', `/api/v2/trace/${traceId}`],
  ];
}

const GHOST_TRACE_ID = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';

/**
 * Each read opens a trace only A wrote (one of `traceIds`) for A, and is
 * "not found" for B: 404, word for word what B hears of a trace nobody
 * wrote, so nothing tells B that A's exists (never "forbidden").
 */
export async function assertOnlyAFindsTraces(
  asA: Reader,
  asB: Reader,
  reads: readonly [port: ReadPort, path: string][],
  traceIds: readonly string[],
): Promise<void> {
  for (const [port, path] of reads) {
    assert.equal((await asA(port, path)).status, 200, `A opens ${port} ${path}`);
    const fromB = await asB(port, path);
    assert.equal(fromB.status, 404, `B: ${port} ${path}: ${fromB.text.slice(0, 200)}`);
    const traceId = traceIds.find((id) => path.includes(id));
    assert.ok(traceId, `${path} reads one of ${traceIds.join(', ')}`);
    const nobodys = await asB(port, path.replace(traceId, GHOST_TRACE_ID));
    assert.equal(fromB.text.replaceAll(traceId, GHOST_TRACE_ID), nobodys.text, `${port} ${path}`);
    assert.equal(leakOf(fromB.text, path), undefined);
  }
}
