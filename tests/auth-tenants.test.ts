// Tenants under --auth (issue 14): the token says whose a request is. Tokens
// of tenants A and B (ingest and query each; their ids differ only in case)
// write distinct traces that share service and operation names; through the
// same read endpoints the --multitenancy test walks, B's token finds its own
// data and nothing of A's (a trace only A wrote is "not found", never
// "forbidden"); a token with both tenants reaches the one X-Scope-OrgID
// picks; an ingest-only token reads nothing and a query-only token writes
// nothing; UDP writes for --udp-tenant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { A_MARKS, B_MARKS, TENANT_A, TENANT_B } from '../packages/server/src/tenancy/testing/tenant-traces.js';
import { bearer, type TestToken, testToken, writeAuthFile } from './support/auth-file.js';
import { PROBE_SERVICES, PROBES } from './support/endpoint-probes.js';
import {
  assertOnlyAFindsTraces,
  leakOf,
  type Reader,
  readName,
  TENANT_READS,
  testTenantReads,
  traceByIdReads,
} from './support/tenant-reads.js';
import { writeTenantTraces } from './support/tenant-writes.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';
import { sendUdpTraceUntilRead, UDP_TRACE_ID } from './support/udp-trace.js';

const START = BigInt(Date.now()) * 1_000_000n - 60_000_000_000n;

const tokenA = testToken([TENANT_A], ['ingest', 'query']);
const tokenB = testToken([TENANT_B], ['ingest', 'query']);
const ingestOnlyA = testToken([TENANT_A], ['ingest']);
const queryOnlyA = testToken([TENANT_A], ['query']);
const queryBoth = testToken([TENANT_A, TENANT_B], ['query']);

let dir: string;
let server: TestServer;

/** Reads with a token (and, for a token of several tenants, the one X-Scope-OrgID picks). */
const readWith =
  (token: TestToken, pick?: string): Reader =>
  async (port, path) => {
    const headers = { ...bearer(token), ...(pick === undefined ? {} : { 'X-Scope-OrgID': pick }) };
    const response = await fetch(`${server.urlOf(port)}${path}`, { headers });
    return { status: response.status, text: await response.text() };
  };
const asA = readWith(tokenA);
const asB = readWith(tokenB);

before(async () => {
  dir = makeTempDir('ariadne-auth-tenants-');
  server = await startTestServer({
    authFile: writeAuthFile(dir, [tokenA, tokenB, ingestOnlyA, queryOnlyA, queryBoth]),
  });
  // A over OTLP/HTTP, B over OTLP/gRPC: neither names a tenant, the token does.
  await writeTenantTraces(server, { a: bearer(tokenA), b: bearer(tokenB) }, START);
});
after(async () => {
  await server?.dispose();
  if (dir) removeTempDir(dir);
});

describe("reads with B's token: B's own data and nothing of A's", () => {
  testTenantReads(asA, asB);

  test('a trace only A wrote is "not found" for B\'s token on every port, never "forbidden"', async () => {
    const [spanId] = A_MARKS.spanIds as [string];
    await assertOnlyAFindsTraces(asA, asB, traceByIdReads(A_MARKS.traceId, spanId), [A_MARKS.traceId]);
  });

  test("B's token can neither archive nor then open a trace of A", async () => {
    const archive = (token: TestToken) =>
      fetch(`${server.queryUrl}/api/archive/${A_MARKS.traceId}`, { method: 'POST', headers: bearer(token) });
    assert.equal((await archive(tokenB)).status, 404);
    assert.equal((await archive(tokenA)).status, 200);
    assert.equal((await asB('query', `/api/traces/${A_MARKS.traceId}`)).status, 404);
  });

  test("a token of both tenants reaches the one X-Scope-OrgID picks, and that one's data alone", async () => {
    const [spanIdA] = A_MARKS.spanIds as [string];
    const [spanIdB] = B_MARKS.spanIds as [string];
    const pickA = readWith(queryBoth, TENANT_A);
    const pickB = readWith(queryBoth, TENANT_B);
    await assertOnlyAFindsTraces(pickA, pickB, traceByIdReads(A_MARKS.traceId, spanIdA), [A_MARKS.traceId]);
    // And the other way round: picking B finds B's trace, picking A does not.
    await assertOnlyAFindsTraces(pickB, pickA, traceByIdReads(B_MARKS.traceId, spanIdB), [B_MARKS.traceId]);
  });
});

describe('roles within a tenant', () => {
  test("an ingest-only token of A reads nothing, not even A's own data (403)", async () => {
    const [spanId] = A_MARKS.spanIds as [string];
    const reads = [
      ...TENANT_READS.map(([port, path]) => [port, path] as const),
      ...traceByIdReads(A_MARKS.traceId, spanId),
    ];
    for (const [port, path] of reads) {
      const answer = await readWith(ingestOnlyA)(port, path);
      assert.equal(answer.status, 403, `${readName(port, path)}: ${answer.text.slice(0, 200)}`);
      assert.equal(leakOf(answer.text, path), undefined, readName(port, path));
    }
  });

  test("a query-only token of A writes nothing, on any receiver, into A's stores or anyone's (403)", async () => {
    for (const probe of PROBES.filter((p) => p.need === 'ingest')) {
      const answer = await probe.call(server.urlOf(probe.port), { headers: bearer(queryOnlyA) });
      assert.equal(answer.status, 403, `${probe.name}: ${answer.body}`);
    }
    const tenantStores = await Promise.all([TENANT_A, TENANT_B].map((tenant) => server.server.storageFor(tenant)));
    for (const store of [server.server.store, ...tenantStores.map((storage) => storage.store)]) {
      const services = await store.getServices();
      for (const service of PROBE_SERVICES) assert.ok(!services.includes(service), `stored ${service}`);
    }
  });
});

describe('--udp-tenant under --auth', () => {
  test("every datagram's spans are that tenant's: its token reads them, another's does not", async () => {
    const udp = await startTestServer({
      storage: 'memory',
      authFile: writeAuthFile(dir, [tokenA, tokenB], 'udp-auth.jsonl'),
      udpTenant: TENANT_A,
    });
    try {
      const read = (token: TestToken) => async (traceId: string) => {
        const response = await fetch(`${udp.queryUrl}/api/traces/${traceId}`, { headers: bearer(token) });
        return { status: response.status, text: await response.text() };
      };
      const fromA = await sendUdpTraceUntilRead(udp.urlOf('jaegerCompact'), read(tokenA));
      assert.equal(fromA.status, 200, "the UDP tenant's token finds the trace");
      assert.equal((await read(tokenB)(UDP_TRACE_ID)).status, 404);
      assert.deepEqual(await udp.server.store.getServices(), [], 'nothing went to single-tenant');
    } finally {
      await udp.dispose();
    }
  });
});
