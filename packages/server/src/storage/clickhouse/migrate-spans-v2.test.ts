import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { doubleValue, intValue, type Span, SpanKind, StatusCode, stringValue } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { schemaV2 } from './clickhouse-schema.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { SPAN_ROW_COLUMNS, SpanRowEncoder } from './span-row.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

const DAY = 86_400_000_000_000n;
const sql = async (text: string) =>
  (await (await fetch(`${server.url}/?query=${encodeURIComponent(text)}`)).text()).trim();
const bySpanId = (spans: readonly Span[]) => [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : 1));

/** A database as version 2 left it: its DDL, its rows (written as version 2's store wrote them). */
async function writeVersion2(database: string, spans: readonly Span[]): Promise<void> {
  const http = new ClickHouseHttp({ url: server.url });
  await http.command(`CREATE DATABASE ${database}`);
  await http.command(
    `CREATE TABLE ${database}.schema_migrations (version UInt32, applied_ns UInt64) ENGINE = MergeTree ORDER BY version`,
  );
  await http.command(`INSERT INTO ${database}.schema_migrations VALUES (2, 0)`);
  for (const statement of schemaV2({ database })) await http.command(statement.replace('ON_CLUSTER', ''));
  const encoder = new SpanRowEncoder();
  for (let i = 0; i < spans.length; i += 1000) {
    await http.insert(`${database}.spans`, SPAN_ROW_COLUMNS, encoder.encode(spans.slice(i, i + 1000)));
  }
}

test('a version 2 database is copied into version 3 at open, every span kept', async () => {
  const database = 'ariadne_v2_migration';
  // Traces over three days (three partitions), with attributes, events and errors.
  const spans: Span[] = [];
  for (const [day, traces] of [
    [0n, 40],
    [1n, 30],
    [5n, 30],
  ] as const) {
    for (let t = 0; t < traces; t++) {
      const traceId = `${day}${String(t).padStart(4, '0')}`.padStart(32, 'e');
      const start = 1_767_225_600_000_000_000n + day * DAY + BigInt(t) * 1_000_000_000n;
      for (let s = 0; s < 20; s++) {
        spans.push(
          testSpan({
            traceId,
            spanId: `${t}-${s}`.replace('-', 'f').padStart(16, '0'),
            parentSpanId: s === 0 ? '' : `${t}f0`.padStart(16, '0'),
            service: ['web', 'cart', 'db'][s % 3]!,
            name: `op ${s % 7}`,
            kind: s === 0 ? SpanKind.Server : SpanKind.Client,
            startTimeUnixNano: start + BigInt(s) * 1000n,
            endTimeUnixNano: start + BigInt(s) * 1000n + 5_000n,
            attributes: [
              { key: 'user', value: stringValue(`user-${(t * 7 + s) % 13}`) },
              { key: 'http.response.status_code', value: intValue(s % 5 === 0 ? 500 : 200) },
            ],
            events:
              s % 4 === 0
                ? [{ timeUnixNano: start + 10n, name: 'retry', attributes: [], droppedAttributesCount: 0 }]
                : [],
            status:
              s % 5 === 0 ? { code: StatusCode.Error, message: 'failed' } : { code: StatusCode.Unset, message: '' },
          }),
        );
      }
    }
  }
  const odd = [
    testSpan({ traceId: 'a'.repeat(32), spanId: '1'.repeat(16), service: 'web', startTimeUnixNano: 5n }),
    testSpan({
      traceId: 'a'.repeat(32),
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      service: 'db',
      startTimeUnixNano: 7n,
      attributes: [{ key: 'ratio', value: doubleValue(-0) }],
    }),
  ];
  spans.push(...odd);
  await writeVersion2(database, spans);
  const operationsBefore = await sql(`SELECT sum(spans) FROM ${database}.operations`);
  const traceIndexBefore = await sql(`SELECT count() FROM ${database}.trace_index`);

  const store = await openClickHouseStore({ url: server.url, database });
  try {
    // Versions applied, whether spans_v2 is left, the type of a string column now.
    const state = await sql(
      `SELECT (SELECT groupArray(version) FROM (SELECT version FROM ${database}.schema_migrations ORDER BY version)),
         (SELECT count() FROM system.tables WHERE database = '${database}' AND name = 'spans_v2'),
         (SELECT type FROM system.columns WHERE database = '${database}' AND table = 'spans' AND name = 'service')
       FORMAT TSV`,
    );
    assert.equal(state, '[2,3]\t0\tLowCardinality(String)');
    assert.equal(await sql(`SELECT count() FROM ${database}.spans`), String(spans.length));
    // The derived tables kept their rows and counted no span twice.
    assert.equal(await sql(`SELECT sum(spans) FROM ${database}.operations`), operationsBefore);
    assert.equal(await sql(`SELECT count() FROM ${database}.trace_index`), traceIndexBefore);
    // Every span reads back equal.
    const traces = new Map<string, Span[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    for (const [traceId, written] of traces) {
      assert.deepStrictEqual(bySpanId(await store.getTrace(traceId)), bySpanId(written), `trace ${traceId}`);
    }
    // The views feed the derived tables again.
    await store.writeSpans([testSpan({ traceId: 'c'.repeat(32), service: 'after', startTimeUnixNano: 9n })]);
    assert.ok((await store.getServices()).includes('after'));
  } finally {
    await store.close();
  }
  // Opening again finds version 3 and copies nothing twice.
  const reopened = await openClickHouseStore({ url: server.url, database });
  try {
    assert.equal(await sql(`SELECT count() FROM ${database}.spans`), String(spans.length + 1));
    assert.equal((await reopened.getTrace('a'.repeat(32))).length, 2);
  } finally {
    await reopened.close();
  }
});
