// Roles over one ClickHouse: two `ariadne collector` processes and one
// `ariadne query` node, all with --auth and a ClickHouse user with a password.
// Spans sent to both collectors over OTLP are found through the query node by
// every API a user sees (search, trace, services, service map, monitor, live
// tail, archive); the collectors serve no query API and the query node no
// receiver; both collectors answer the same adaptive sampling strategy; a
// collector spools while ClickHouse is away and its /ready flips only once
// its spool is full, while /health stays; and
// no secret appears in any process's logs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ClickHouseTestServer,
  startClickHouseServer,
} from '../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { bearer, type TestToken, testToken, writeAuthFile } from './support/auth-file.js';
import { LISTENER_NAMES } from './support/endpoint-probes.js';
import { type AriadneProcess, runAriadneToExit, startAriadneProcess } from './support/role-process.js';
import {
  getJson,
  origin,
  otlpTrace,
  randomTraceId,
  roleTestFlags,
  sendTrace,
  spanIdsOf,
  waitFor,
  waitForOneSamplingAnswer,
} from './support/role-traffic.js';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const TENANT = 'team-a';
const CLICKHOUSE_USER = 'ariadne_writer';
const CLICKHOUSE_PASSWORD = `ch-pw-${randomBytes(9).toString('hex')}`;
const ingest = testToken([TENANT], ['ingest']);
const query = testToken([TENANT], ['query']);
const admin = testToken([TENANT], ['admin']);
/** The first collector's spool: a few dozen small batches fill it. */
const SMALL_SPOOL_BYTES = 16 * 1024;

let clickhouse: ClickHouseTestServer;
let dir: string;
let collectors: [AriadneProcess, AriadneProcess];
let queryNode: AriadneProcess;
const started: AriadneProcess[] = [];
let clickhouseStopped = false;

before(async () => {
  dir = makeTempDir('ariadne-roles-');
  clickhouse = await startClickHouseServer();
  await addClickHouseUser(clickhouse, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD);
  const authFile = writeAuthFile(dir, [ingest, query, admin]);
  const common = [
    '--storage',
    'clickhouse',
    '--clickhouse-url',
    clickhouse.url,
    '--clickhouse-database',
    'roles',
    '--clickhouse-user',
    CLICKHOUSE_USER,
    '--clickhouse-password',
    CLICKHOUSE_PASSWORD,
    '--auth',
    authFile,
    '--log-level',
    'debug',
    ...roleTestFlags({ udp: false }),
  ];
  // One after the other: each migrates the schema at open, and the machine is shared.
  // Each has its own data folder (its spool); the first collector's spool is
  // small, so that a test can fill it while ClickHouse is away.
  const roles = [['collector', '--spool-max-bytes', String(SMALL_SPOOL_BYTES)], ['collector'], ['query']];
  for (const [index, [role, ...own]] of roles.entries()) {
    const dataDir = join(dir, `node-${index}`);
    started.push(await startAriadneProcess([role!, ...own, '--data-dir', dataDir, ...common]));
  }
  collectors = [started[0]!, started[1]!];
  queryNode = started[2]!;
});

after(async () => {
  await Promise.all(started.map((process) => process.stop()));
  if (!clickhouseStopped) await clickhouse?.stop();
  if (dir) removeTempDir(dir);
});

test('each role listens only for its own work', async () => {
  for (const collector of collectors) {
    const labels = [...collector.endpoints.keys()];
    assert.ok(labels.includes('OTLP/HTTP receiver'), labels.join());
    assert.ok(labels.includes('remote sampling'), labels.join());
    assert.ok(!labels.some((label) => /query|UI|Tempo/.test(label)), `no query listener on a collector: ${labels}`);
    const adminUrl = origin(collector, 'health and metrics');
    // No UI and no query API, even with a query token.
    for (const path of ['/api/services', '/api/traces?service=x', '/', '/api/live']) {
      assert.equal((await fetch(`${adminUrl}${path}`, { headers: bearer(query) })).status, 404, path);
    }
    assert.equal((await fetch(`${adminUrl}/health`)).status, 200);
    assert.equal((await fetch(`${adminUrl}/ready`)).status, 200);
    assert.equal((await fetch(`${adminUrl}/metrics`)).status, 401, '/metrics needs the admin role');
    assert.equal((await fetch(`${adminUrl}/metrics`, { headers: bearer(admin) })).status, 200);
  }
  const labels = [...queryNode.endpoints.keys()];
  assert.deepEqual(labels.sort(), ['Tempo query API', 'Zipkin query API', 'web UI and query API']);
  // The Zipkin port of a query node answers Zipkin's query API, and takes no spans.
  const zipkin = origin(queryNode, 'Zipkin query API');
  assert.equal((await fetch(`${zipkin}/api/v2/services`, { headers: bearer(query) })).status, 200);
  const posted = await fetch(`${zipkin}/api/v2/spans`, {
    method: 'POST',
    headers: { ...bearer(query), 'content-type': 'application/json' },
    body: '[]',
  });
  assert.equal(posted.status, 404, 'no Zipkin receiver on a query node');
  assert.equal((await fetch(`${origin(queryNode, 'web UI and query API')}/ready`)).status, 200);
});

test('spans sent to two collectors are found through the query node, by every API', async () => {
  const ui = origin(queryNode, 'web UI and query API');
  const live = await openLiveTail(`${ui}/api/live`, query);
  const traces = [randomTraceId(), randomTraceId()];
  const acked: number[] = [];
  for (const [i, collector] of collectors.entries()) {
    await sendTrace(collector, traces[i]!, `checkout-${i === 0 ? 'a' : 'b'}`, ingest);
    acked.push(performance.now());
  }

  // Live tail: the query node reads what the collectors wrote.
  const seenAt = await live.waitForSpans(traces.flatMap((traceId) => spanIdsOf(traceId)));
  live.close();
  const delays = traces.map((traceId, i) =>
    Math.round(Math.max(...spanIdsOf(traceId).map((id) => seenAt.get(id)!)) - acked[i]!),
  );
  console.log(`live tail on the query node: ingest acknowledged -> event, ${delays.join(' ms and ')} ms`);

  const q = (path: string) => getJson(`${ui}${path}`, query);
  for (const traceId of traces) {
    const body = (await q(`/api/traces/${traceId}`)) as { data: { spans: { spanID: string }[] }[] };
    assert.deepEqual(body.data[0]!.spans.map((span) => span.spanID).sort(), spanIdsOf(traceId).sort());
  }
  const services = (await q('/api/services')) as { data: string[] };
  assert.deepEqual(services.data, ['gateway', 'orders']);
  const found = (await q('/api/traces?service=orders&lookback=1h&limit=20')) as { data: { traceID: string }[] };
  assert.deepEqual(found.data.map((trace) => trace.traceID).sort(), [...traces].sort());
  const links = (await q(`/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`)) as { data: unknown };
  assert.deepEqual(links.data, [{ parent: 'gateway', child: 'orders', callCount: 2, errorCount: 0 }]);
  const calls = (await q(
    `/api/metrics/calls?service=gateway&endTs=${Date.now() + 60_000}&lookback=3600000&step=60000`,
  )) as {
    metrics: { metricPoints: { gaugeValue: { doubleValue: number } }[] }[];
  };
  const rate = calls.metrics
    .flatMap((metric) => metric.metricPoints)
    .reduce((sum, p) => sum + p.gaugeValue.doubleValue, 0);
  assert.ok(rate > 0, `the monitor counts the calls: ${JSON.stringify(calls)}`);
  const tempo = (await getJson(`${origin(queryNode, 'Tempo query API')}/api/traces/${traces[0]}`, query)) as object;
  assert.ok(JSON.stringify(tempo).length > 0);

  // Archive: kept in ClickHouse, in a database beside the tenant's, where every query node finds it.
  const archived = await fetch(`${ui}/api/archive/${traces[0]}`, { method: 'POST', headers: bearer(query) });
  assert.equal(archived.status, 200, await archived.text());
  const databases = await clickhouseQuery(
    `SELECT name FROM system.databases WHERE name LIKE 'roles\\_archive\\_t\\_%'`,
  );
  assert.equal(databases.trim().split('\n').length, 1, databases);
  const count = await clickhouseQuery(`SELECT count() FROM \`${databases.trim()}\`.spans`);
  assert.equal(count.trim(), String(spanIdsOf(traces[0]!).length));
});

test('both collectors answer the same adaptive sampling strategy, learned from the traffic of both', async () => {
  const answers = await waitForOneSamplingAnswer(collectors, ['checkout-a', 'checkout-b'], ingest);
  assert.deepEqual(answers[0], answers[1]);
});

test('while ClickHouse is unreachable a collector spools and stays ready; with its spool full it is not; it stays healthy', async () => {
  clickhouseStopped = true;
  await clickhouse.stop();
  const admin0 = origin(collectors[0], 'health and metrics');
  const receiver = collectors[0].endpoints.get('OTLP/HTTP receiver')!;
  const post = () =>
    fetch(receiver, {
      method: 'POST',
      headers: { ...bearer(ingest), 'content-type': 'application/json' },
      body: JSON.stringify(otlpTrace(randomTraceId(), BigInt(Date.now()) * 1_000_000n, 'checkout-a')),
    });
  // Acknowledged from the spool while ClickHouse is away, and still ready.
  const first = await post();
  assert.equal(first.status, 200, await first.text());
  assert.equal((await fetch(`${admin0}/ready`)).status, 200);
  // Until the spool is full: then refused at once with Retry-After.
  let refused: Response | undefined;
  for (let sent = 0; sent < 5_000 && refused === undefined; sent++) {
    const response = await post();
    if (response.status !== 200) refused = response;
    await response.arrayBuffer();
  }
  assert.equal(refused?.status, 503);
  assert.ok(refused?.headers.get('retry-after'), 'a refusal says when to retry');
  const body = await waitFor(async () => {
    const response = await fetch(`${admin0}/ready`);
    return response.status === 503
      ? ((await response.json()) as { reasons: { check: string; reason: string }[] })
      : undefined;
  }, '/ready to answer 503');
  assert.equal(body.reasons[0]?.check, 'store');
  assert.match(
    body.reasons[0]?.reason ?? '',
    /ClickHouse at http:\/\/127\.0\.0\.1:\d+ is unreachable.*, and the spool is full/,
  );
  assert.equal((await fetch(`${admin0}/health`)).status, 200);
  // The query node cannot answer without ClickHouse: not ready either.
  const queryOrigin = origin(queryNode, 'web UI and query API');
  await waitFor(
    async () => ((await fetch(`${queryOrigin}/ready`)).status === 503 ? true : undefined),
    'query /ready 503',
  );
});

test('the logs are JSON lines with levels, and hold no secret', async () => {
  // One more start, refused by ClickHouse (wrong password): its error is logged, without the password.
  // (A ClickHouse that is away does not stop a start: the spool takes writes; a wrong password does.)
  const wrong = `wrong-${CLICKHOUSE_PASSWORD}`;
  const another = await startClickHouseServer();
  await addClickHouseUser(another, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD);
  const refused = await runAriadneToExit([
    'collector',
    '--storage',
    'clickhouse',
    '--clickhouse-url',
    another.url,
    '--clickhouse-user',
    CLICKHOUSE_USER,
    '--clickhouse-password',
    wrong,
    '--data-dir',
    join(dir, 'refused'),
    '--log-format',
    'json',
    ...LISTENER_NAMES.flatMap((name) => [`--${name}-port`, '0']),
  ]);
  await another.stop();
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /"level":"error".*cannot start/);
  await Promise.all(started.map((process) => process.stop()));
  const logs = [...started.map((process) => process.logs()), refused.stderr];
  for (const log of logs.slice(0, 3)) {
    const lines = log.split('\n').filter((line) => line.startsWith('{'));
    assert.ok(lines.length > 0, log);
    for (const line of lines) {
      const record = JSON.parse(line) as { level: string; msg: string; time: string };
      assert.match(record.level, /^(error|warn|info|debug)$/);
      assert.equal(typeof record.msg, 'string');
    }
    assert.match(log, /"msg":"ready"/);
  }
  for (const secret of [CLICKHOUSE_PASSWORD, ingest.token, query.token, admin.token]) {
    for (const log of logs) assert.ok(!log.includes(secret), `a secret leaked into the logs:\n${log}`);
  }
});

/** A live tail stream: when (performance.now()) each span id first arrived. */
async function openLiveTail(url: string, token: TestToken) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: bearer(token), signal: controller.signal });
  assert.equal(response.status, 200);
  const seen = new Map<string, number>();
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        if (data?.startsWith('[')) {
          for (const trace of JSON.parse(data) as { spans: { spanID: string }[] }[]) {
            for (const span of trace.spans) if (!seen.has(span.spanID)) seen.set(span.spanID, performance.now());
          }
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return {
    waitForSpans: (ids: readonly string[]) =>
      waitFor(async () => (ids.every((id) => seen.has(id)) ? seen : undefined), `live tail to show ${ids}`),
    close: () => {
      controller.abort();
      void reading;
    },
  };
}

/** Gives a running test ClickHouse a user with a password (and has it re-read its users file now). */
async function addClickHouseUser(server: ClickHouseTestServer, user: string, password: string): Promise<void> {
  await writeFile(
    join(server.folder, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${user}><password>${password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${user}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`,
  );
  await fetch(`${server.url}/?query=${encodeURIComponent('SYSTEM RELOAD CONFIG')}`, { method: 'POST' });
  await waitFor(async () => {
    const response = await fetch(`${server.url}/?query=SELECT%201`, {
      headers: { 'x-clickhouse-user': user, 'x-clickhouse-key': password },
    });
    return response.ok ? true : undefined;
  }, `ClickHouse to know user ${user}`);
}

async function clickhouseQuery(sql: string): Promise<string> {
  const response = await fetch(`${clickhouse.url}/?query=${encodeURIComponent(sql)}`);
  const text = await response.text();
  assert.ok(response.ok, text);
  return text;
}
