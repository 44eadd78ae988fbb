// Acceptance (issue 14, authentication): with --auth, every HTTP and gRPC
// endpoint of every port refuses a request without a token, or with a wrong
// one (401 with WWW-Authenticate; gRPC UNAUTHENTICATED), and nothing it sent
// is stored; an ingest-only token cannot read, a query-only token cannot
// write (403; PERMISSION_DENIED); /metrics needs admin and counts the
// refusals; /health stays open; the Jaeger agent UDP ports are off without
// --udp-tenant; a token with several tenants picks one with X-Scope-OrgID.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { ServePorts } from '@ariadne/server';
import { parseTenantId, SINGLE_TENANT, type TenantId } from '../packages/server/src/tenancy/tenant-id.js';
import { authLine, basic, bearer, testToken, writeAuthFile } from './support/auth-file.js';
import {
  type Answer,
  type CallOptions,
  LISTENER_NAMES,
  PROBE_SERVICES,
  PROBED_PORTS,
  PROBES,
  type Probe,
} from './support/endpoint-probes.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const ingest = testToken(['team-a'], ['ingest']);
const query = testToken(['team-a'], ['query']);
const admin = testToken(['ops'], ['admin']);
const both = testToken(['team-a', 'team-b'], ['ingest', 'query']);
const unknown = testToken(['team-a'], ['ingest', 'query', 'admin']);

describe('--auth on every port and protocol', () => {
  let server: TestServer;
  let dir: string;
  let authFile: string;
  before(async () => {
    dir = makeTempDir('ariadne-auth-');
    authFile = writeAuthFile(dir, [ingest, query, admin, both]);
    server = await startTestServer({ storage: 'memory', authFile });
  });
  after(async () => {
    await server.dispose();
    removeTempDir(dir);
  });

  const call = (probe: Probe, options: CallOptions): Promise<Answer> => probe.call(server.urlOf(probe.port), options);
  /** What a tenant's store holds: with --auth, a request's spans go to its token's tenant. */
  const servicesOf = async (tenant: TenantId) => (await server.server.storageFor(tenant)).store.getServices();
  /** Every store a request of these tokens could have reached, and single-tenant's. */
  const storedServices = async () =>
    (await Promise.all([SINGLE_TENANT, 'team-a', 'team-b'].map((t) => servicesOf(parseTenantId(t))))).flat();
  const allowed = (answer: Answer) => answer.status !== 401 && answer.status !== 403;

  test('every HTTP and gRPC listener has a probe', () => {
    const listeners = Object.keys(server.server.listeners) as (keyof ServePorts)[];
    const http = listeners.filter((port) => !server.urlOf(port).startsWith('udp:'));
    assert.deepEqual(http.sort(), [...PROBED_PORTS].sort());
  });

  test('no token, a wrong token, or a malformed header: 401 with WWW-Authenticate everywhere but /health, and nothing stored', async () => {
    const attempts: [string, CallOptions][] = [
      ['no token', {}],
      ['unknown Bearer token', { headers: bearer(unknown) }],
      ['unknown token over Basic', { headers: basic(unknown) }],
      [
        'a known token as the Basic user name',
        { headers: { authorization: `Basic ${Buffer.from(`${ingest.token}:`).toString('base64')}` } },
      ],
      ['another scheme', { headers: { authorization: `Token ${ingest.token}` } }],
    ];
    for (const [what, options] of attempts) {
      for (const probe of PROBES) {
        const answer = await call(probe, options);
        if (probe.need === 'open') {
          // The UI's page, when this checkout has not built it, answers 404 saying so: still not a refusal.
          const unbuiltUi = answer.status === 404 && /web UI is not built/.test(answer.body);
          assert.ok(answer.status === 200 || unbuiltUi, `${probe.name}, ${what}: ${answer.status}`);
          continue;
        }
        assert.equal(answer.status, 401, `${probe.name}, ${what}: ${answer.body}`);
        if (probe.port.endsWith('Grpc')) continue;
        // Two headers or one with both challenges comma-separated: HTTP means the same by either.
        assert.match(
          answer.wwwAuthenticate.join(', '),
          /^Bearer realm="ariadne"(, error="invalid_token")?, Basic realm="ariadne", charset="UTF-8"$/,
          `${probe.name}, ${what}: both challenges`,
        );
      }
    }
    assert.deepEqual(await storedServices(), [], 'nothing was stored');
  });

  test('a query-only token cannot write (403) and stores nothing; it reads everything but /metrics', async () => {
    for (const probe of PROBES) {
      const answer = await call(probe, { headers: bearer(query) });
      if (probe.need === 'ingest' || probe.need === 'admin') {
        assert.equal(answer.status, 403, `${probe.name}: ${answer.body}`);
        assert.deepEqual(answer.wwwAuthenticate, [], `${probe.name}: a 403 asks for no other credentials`);
      } else assert.ok(allowed(answer), `${probe.name}: ${answer.status} ${answer.body}`);
    }
    assert.deepEqual(await storedServices(), [], 'nothing was stored');
  });

  test('an ingest-only token writes on every receiver but cannot read (403)', async () => {
    for (const probe of PROBES) {
      const answer = await call(probe, { headers: bearer(ingest) });
      if (probe.need === 'query' || probe.need === 'admin') assert.equal(answer.status, 403, probe.name);
      else assert.ok(answer.status < 300, `${probe.name}: ${answer.status} ${answer.body}`);
    }
    assert.deepEqual(
      (await servicesOf(parseTenantId('team-a'))).sort(),
      [...PROBE_SERVICES].sort(),
      "what the receivers took was stored, as the token's tenant's",
    );
    assert.deepEqual(await storedServices(), await servicesOf(parseTenantId('team-a')), 'and nowhere else');
  });

  test('Basic auth with the token as password works like Bearer (Grafana, jaeger-client, Zipkin reporters)', async () => {
    for (const probe of PROBES.filter((p) => p.need === 'query' || p.need === 'ingest')) {
      const token = probe.need === 'query' ? query : ingest;
      const answer = await call(probe, { headers: basic(token, 'any-user') });
      assert.ok(allowed(answer), `${probe.name}: ${answer.status} ${answer.body}`);
    }
  });

  test('a token with several tenants picks one with X-Scope-OrgID; without it, or with another tenant, 403', async () => {
    for (const probe of PROBES.filter((p) => p.need === 'query' || p.need === 'ingest')) {
      const picked = await call(probe, { headers: { ...bearer(both), 'x-scope-orgid': 'team-b' } });
      assert.ok(allowed(picked), `${probe.name}: ${picked.status} ${picked.body}`);
      const unpicked = await call(probe, { headers: bearer(both) });
      assert.equal(unpicked.status, 403, probe.name);
      assert.match(unpicked.body, /name one with X-Scope-OrgID/, probe.name);
      const other = await call(probe, { headers: { ...bearer(ingest), 'x-scope-orgid': 'team-b' } });
      assert.equal(other.status, 403, probe.name);
    }
  });

  test('/metrics needs admin and counts refusals by listener and reason', async () => {
    const metricsProbe = PROBES.find((p) => p.need === 'admin')!;
    const answer = await call(metricsProbe, { headers: bearer(admin) });
    assert.equal(answer.status, 200);
    for (const listener of LISTENER_NAMES) {
      assert.match(
        answer.body,
        new RegExp(`ariadne_auth_failures_total\\{listener="${listener}",reason="missing_token"\\} [1-9]`),
      );
      assert.match(
        answer.body,
        new RegExp(`ariadne_auth_failures_total\\{listener="${listener}",reason="unknown_token"\\} [1-9]`),
      );
    }
    assert.match(answer.body, /ariadne_auth_failures_total\{listener="otlp-grpc",reason="role"\} [1-9]/);
    assert.match(answer.body, /ariadne_auth_failures_total\{listener="tempo",reason="tenant"\} [1-9]/);
    assert.match(answer.body, /ariadne_auth_tokens 4\n/);
  });

  test('OTLP/HTTP words its 401 as a google.rpc.Status with code UNAUTHENTICATED', async () => {
    const probe = PROBES.find((p) => p.port === 'otlpHttp')!;
    const answer = await call(probe, {});
    assert.equal(answer.status, 401);
    assert.deepEqual(JSON.parse(answer.body).code, 16);
  });

  test('reload takes a new token in and an old one out, without a restart', async () => {
    const probe = PROBES.find((p) => p.name === 'query /api/services')!;
    const later = testToken(['team-a'], ['query']);
    assert.equal((await call(probe, { headers: bearer(later) })).status, 401);
    writeFileSync(authFile, [ingest, admin, later].map(authLine).join(''));
    const outcomes = await server.server.reload();
    assert.deepEqual(
      outcomes.map((o) => [o.part, o.ok]),
      [['auth', true]],
    );
    assert.equal((await call(probe, { headers: bearer(later) })).status, 200);
    assert.equal((await call(probe, { headers: bearer(query) })).status, 401, 'a token taken out is revoked');
    writeFileSync(authFile, '{broken\n');
    const failed = await server.server.reload();
    assert.equal(failed[0]?.ok, false);
    assert.match(failed[0]?.message ?? '', /the previous one stays: .*line 1/);
    assert.equal((await call(probe, { headers: bearer(later) })).status, 200, 'the last good file stays in force');
  });
});

describe('--auth and the Jaeger agent UDP ports', () => {
  test('off without --udp-tenant, on with it', async () => {
    const dir = makeTempDir('ariadne-auth-udp-');
    const authFile = writeAuthFile(dir, [ingest]);
    try {
      const withoutTenant = await startTestServer({ storage: 'memory', authFile });
      try {
        assert.equal(withoutTenant.server.listeners.jaegerCompact, undefined);
        assert.equal(withoutTenant.server.listeners.jaegerBinary, undefined);
      } finally {
        await withoutTenant.dispose();
      }
      const withTenant = await startTestServer({ storage: 'memory', authFile, udpTenant: parseTenantId('edge') });
      try {
        assert.match(withTenant.urlOf('jaegerCompact'), /^udp:/);
        assert.match(withTenant.urlOf('jaegerBinary'), /^udp:/);
      } finally {
        await withTenant.dispose();
      }
    } finally {
      removeTempDir(dir);
    }
  });
});
