// The W3C Trace Context test suite's cases (its test/test.py) at its
// strictest level (STRICT_LEVEL=2, SPEC_LEVEL=2, level 2's key grammar),
// driven the way its harness drives a service: POST /test with the case's raw
// headers (repeated, odd casing) and a body naming callback URLs on a real
// local endpoint, which records what the service sent it.
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, request } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { testHttpEndpoint } from '../export/test-http-endpoint.js';
import { parseW3cTestCalls, startW3cTestService, type W3cTestService } from './test-service.js';

const TRACE_ID = '12345678901234567890123456789012';
const PARENT_ID = '1234567890123456';
/** The suite's other trace id, in the first of two traceparent headers. */
const OTHER_TRACE_ID = '12345678901234567890123456789011';
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;
const UNSAMPLED = `00-${TRACE_ID}-${PARENT_ID}-00`;

let service: W3cTestService;
let endpoint: Awaited<ReturnType<typeof testHttpEndpoint>>;

before(async () => {
  service = await startW3cTestService(0);
  endpoint = await testHttpEndpoint([{ status: 200 }]);
});
after(async () => {
  await service.close();
  await endpoint.close();
});
beforeEach(() => {
  endpoint.received.length = 0;
});

/** POSTs to the service with raw header pairs, as the harness does; resolves with its status. */
function harness(headers: [string, string][], body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const json = JSON.stringify(body);
    // Raw header pairs are sent as they are, so Host and the framing header must be among them.
    const raw = [
      ...headers,
      ['host', new URL(service.url).host],
      ['content-type', 'application/json'],
      ['content-length', String(Buffer.byteLength(json))],
    ].flat();
    const req = request(service.url, { method: 'POST', headers: raw }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(json);
  });
}

interface Callback {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
  /** The tracestate header, undefined when none was sent. */
  readonly tracestate: string | undefined;
}

function callbackOf(headers: IncomingHttpHeaders): Callback {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(headers.traceparent));
  assert.ok(match, `a valid version-00 traceparent on the callback: ${headers.traceparent}`);
  const [, traceId = '', parentId = '', flags = ''] = match;
  const tracestate = headers.tracestate;
  return { traceId, parentId, flags, tracestate: tracestate === undefined ? undefined : String(tracestate) };
}

/** One harness request asking for `count` callbacks; the callbacks in the order received. */
async function send(headers: [string, string][], count = 1): Promise<Callback[]> {
  const body = Array.from({ length: count }, (_, i) => ({ url: `${endpoint.base}/${i}`, arguments: [] }));
  assert.equal(await harness(headers, body), 200);
  assert.deepEqual(
    endpoint.received.map((r) => r.url),
    body.map((_, i) => `/${i}`),
    'callbacks made in order',
  );
  return endpoint.received.map((r) => callbackOf(r.headers));
}

async function sendOne(headers: [string, string][]): Promise<Callback> {
  const [callback] = await send(headers);
  assert.ok(callback);
  return callback;
}

/** The tracestate as the suite's parser reads it: members by key, OWS around members ignored. */
function members(tracestate: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const member of (tracestate ?? '').split(',')) {
    const trimmed = member.trim();
    if (trimmed === '') continue;
    const at = trimmed.indexOf('=');
    out.set(trimmed.slice(0, at), trimmed.slice(at + 1));
  }
  return out;
}

describe('traceparent', () => {
  const kept: [string, [string, string][]][] = [
    ['version 00', [['traceparent', VALID]]],
    ['header name TraceParent', [['TraceParent', VALID]]],
    ['header name TRACEPARENT', [['TRACEPARENT', VALID]]],
    ['future version cc', [['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01`]]],
    [
      'future version cc with more fields',
      [['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`]],
    ],
    ['leading and trailing OWS', [['traceparent', `\t ${VALID} \t`]]],
  ];
  for (const [name, headers] of kept) {
    test(`${name}: same trace id, a new parent id`, async () => {
      const callback = await sendOne(headers);
      assert.equal(callback.traceId, TRACE_ID);
      assert.notEqual(callback.parentId, PARENT_ID);
      assert.equal(callback.flags, '01');
    });
  }

  const restarted: [string, [string, string][]][] = [
    ['version ff', [['traceparent', `ff-${TRACE_ID}-${PARENT_ID}-01`]]],
    ['version 00 with more fields', [['traceparent', `${VALID}-what-the-future-will-be-like`]]],
    ['version 00 with a trailing character', [['traceparent', `${VALID}.`]]],
    ['future version without a dash after the flags', [['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01.what`]]],
    ['upper-case trace id', [['traceparent', `00-${TRACE_ID.replace('12345', 'ABCDE')}-${PARENT_ID}-01`]]],
    ['upper-case parent id', [['traceparent', `00-${TRACE_ID}-ABCDEF7890123456-01`]]],
    ['upper-case flags', [['traceparent', `00-${TRACE_ID}-${PARENT_ID}-0A`]]],
    ['all-zero trace id', [['traceparent', `00-${'0'.repeat(32)}-${PARENT_ID}-01`]]],
    ['all-zero parent id', [['traceparent', `00-${TRACE_ID}-${'0'.repeat(16)}-01`]]],
    ['version too short', [['traceparent', `0-${TRACE_ID}-${PARENT_ID}-01`]]],
    ['version too long', [['traceparent', `000-${TRACE_ID}-${PARENT_ID}-01`]]],
    ['trace id too long', [['traceparent', `00-${TRACE_ID}3-${PARENT_ID}-01`]]],
    ['parent id too short', [['traceparent', `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`]]],
    ['flags too long', [['traceparent', `00-${TRACE_ID}-${PARENT_ID}-001`]]],
    ['illegal character in the trace id', [['traceparent', `00-.${TRACE_ID.slice(1)}-${PARENT_ID}-01`]]],
    [
      'two traceparent headers',
      [
        ['traceparent', `00-${OTHER_TRACE_ID}-${PARENT_ID}-01`],
        ['traceparent', VALID],
      ],
    ],
    ['wrong header name trace-parent', [['trace-parent', VALID]]],
  ];
  for (const [name, headers] of restarted) {
    test(`${name}: the trace restarts`, async () => {
      const callback = await sendOne([...headers, ['tracestate', 'foo=1']]);
      assert.notEqual(callback.traceId, TRACE_ID);
      assert.notEqual(callback.traceId, OTHER_TRACE_ID);
      assert.notEqual(callback.traceId, '0'.repeat(32));
      assert.notEqual(callback.parentId, PARENT_ID);
      // No traceparent to go with it: the caller's tracestate is not carried into the new trace.
      assert.equal(callback.tracestate, undefined);
    });
  }

  test('the sampled flag is carried: 00 in, 00 out', async () => {
    const callback = await sendOne([['traceparent', UNSAMPLED]]);
    assert.equal(callback.traceId, TRACE_ID);
    assert.equal(callback.flags, '00');
  });

  test('level 2: the random-trace-id flag is carried with the trace id: 02 in, 02 out', async () => {
    const callback = await sendOne([['traceparent', `00-${TRACE_ID}-${PARENT_ID}-02`]]);
    assert.equal(callback.traceId, TRACE_ID);
    assert.notEqual(callback.parentId, PARENT_ID);
    assert.equal(callback.flags, '02');
  });
});

describe('tracestate', () => {
  const header = (value: string): [string, string] => ['tracestate', value];
  const numbered = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `bar${String(from + i).padStart(2, '0')}=${from + i}`).join(',');

  const inherited: [string, [string, string][], [string, string][]][] = [
    [
      'two members',
      [header('foo=1,bar=2')],
      [
        ['foo', '1'],
        ['bar', '2'],
      ],
    ],
    ['header name TrAcEsTaTe', [['TrAcEsTaTe', 'foo=1']], [['foo', '1']]],
    [
      'several headers, joined in order',
      [header('foo=1,bar=2'), header('rojo=1,congo=2'), header('baz=3')],
      [
        ['foo', '1'],
        ['bar', '2'],
        ['rojo', '1'],
        ['congo', '2'],
        ['baz', '3'],
      ],
    ],
    [
      'OWS around members',
      [header('foo=1 \t , \t bar=2, \t baz=3')],
      [
        ['foo', '1'],
        ['bar', '2'],
        ['baz', '3'],
      ],
    ],
    ['an empty header beside a valid one', [header('foo=1'), header('')], [['foo', '1']]],
    [
      'a key of 256 characters',
      [header('foo=1'), header(`${'z'.repeat(256)}=1`)],
      [
        ['foo', '1'],
        ['z'.repeat(256), '1'],
      ],
    ],
    [
      'a multi-tenant key of 241 and 14 characters',
      [header('foo=1'), header(`${'t'.repeat(241)}@${'v'.repeat(14)}=1`)],
      [
        ['foo', '1'],
        [`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1'],
      ],
    ],
    [
      'a key of 242 characters with an at sign, past level 1 tenant limit',
      [header('foo=1'), header(`${'t'.repeat(242)}@v=1`)],
      [
        ['foo', '1'],
        [`${'t'.repeat(242)}@v`, '1'],
      ],
    ],
    [
      'a key with a 15-character part after its at sign, past level 1 system limit',
      [header('foo=1'), header(`t@${'v'.repeat(15)}=1`)],
      [
        ['foo', '1'],
        [`t@${'v'.repeat(15)}`, '1'],
      ],
    ],
    [
      'a key ending in an at sign',
      [header('foo@=1,bar=2')],
      [
        ['foo@', '1'],
        ['bar', '2'],
      ],
    ],
    [
      'a key with two at signs in a row',
      [header('foo@@bar=1,bar=2')],
      [
        ['foo@@bar', '1'],
        ['bar', '2'],
      ],
    ],
    [
      'a key with two at signs',
      [header('foo@bar@baz=1,bar=2')],
      [
        ['foo@bar@baz', '1'],
        ['bar', '2'],
      ],
    ],
    [
      '32 members over four headers',
      [header(numbered(1, 10)), header(numbered(11, 20)), header(numbered(21, 30)), header(numbered(31, 32))],
      Array.from({ length: 32 }, (_, i) => [`bar${String(i + 1).padStart(2, '0')}`, String(i + 1)]),
    ],
  ];
  for (const [name, headers, expected] of inherited) {
    test(`${name}: kept, in order, with the traceparent`, async () => {
      const callback = await sendOne([['traceparent', UNSAMPLED], ...headers]);
      assert.equal(callback.traceId, TRACE_ID);
      assert.deepEqual([...members(callback.tracestate)], expected);
    });
  }

  const discarded: [string, [string, string][]][] = [
    [
      '33 members',
      [header(numbered(1, 10)), header(numbered(11, 20)), header(numbered(21, 30)), header(numbered(31, 33))],
    ],
    ['a value holding "="', [header('foo=bar=baz')]],
    ['an empty value', [header('foo=,bar=3')]],
    ['an upper-case key', [header('FOO=1')]],
    ['an illegal character in a key', [header('foo.bar=1')]],
    ['a key starting with an at sign', [header('@foo=1,bar=2')]],
    ['a key with a space before "="', [header('foo =1')]],
    ['a key of 257 characters', [header('foo=1'), header(`${'z'.repeat(257)}=1`)]],
    ['a 33rd member in the last of four headers', [header(numbered(1, 20)), header(numbered(21, 33))]],
  ];
  for (const [name, headers] of discarded) {
    test(`${name}: the whole tracestate is discarded, the traceparent kept`, async () => {
      const callback = await sendOne([['traceparent', UNSAMPLED], ...headers]);
      assert.equal(callback.traceId, TRACE_ID);
      assert.notEqual(callback.parentId, PARENT_ID);
      assert.equal(callback.tracestate, undefined);
    });
  }

  const duplicated: [string, [string, string][]][] = [
    ['a key repeated with the same value', [header('foo=1,foo=1')]],
    ['a key repeated with another value', [header('foo=1,foo=2')]],
    ['a key repeated across headers', [header('foo=1'), header('foo=1')]],
    ['a key repeated across headers with another value', [header('foo=1'), header('foo=2')]],
  ];
  for (const [name, headers] of duplicated) {
    test(`${name}: inherited as received, with the traceparent`, async () => {
      const callback = await sendOne([['traceparent', UNSAMPLED], ...headers]);
      assert.equal(callback.traceId, TRACE_ID);
      assert.equal(callback.tracestate, headers.map(([, value]) => value).join(','));
    });
  }

  test('wrong header name trace-state: not read', async () => {
    const callback = await sendOne([
      ['traceparent', UNSAMPLED],
      ['trace-state', 'foo=1'],
    ]);
    assert.equal(callback.tracestate, undefined);
  });

  test('no traceparent: the tracestate is not carried', async () => {
    const callback = await sendOne([header('foo=1,bar=2')]);
    assert.notEqual(callback.traceId, TRACE_ID);
    assert.equal(callback.tracestate, undefined);
  });
});

describe('several callbacks', () => {
  test('valid traceparent: every callback in the trace, each with its own parent id', async () => {
    const callbacks = await send([['traceparent', VALID]], 3);
    assert.deepEqual(new Set(callbacks.map((c) => c.traceId)), new Set([TRACE_ID]));
    assert.equal(new Set(callbacks.map((c) => c.parentId)).size, 3);
  });

  test('no traceparent, or an invalid one: one new trace, each callback with its own parent id', async () => {
    for (const headers of [[], [['traceparent', `00-${'0'.repeat(32)}-${PARENT_ID}-01`]]] as [string, string][][]) {
      endpoint.received.length = 0;
      const callbacks = await send(headers, 3);
      const traceIds = new Set(callbacks.map((c) => c.traceId));
      assert.equal(traceIds.size, 1);
      assert.ok(!traceIds.has('0'.repeat(32)));
      assert.equal(new Set(callbacks.map((c) => c.parentId)).size, 3);
    }
  });

  test('each callback receives its arguments as JSON', async () => {
    const nested = [{ url: 'http://127.0.0.1:1/next', arguments: [] }];
    const body = [
      { url: `${endpoint.base}/0`, arguments: nested },
      { url: `${endpoint.base}/1`, arguments: [] },
    ];
    assert.equal(await harness([['traceparent', VALID]], body), 200);
    assert.deepEqual(
      endpoint.received.map((r) => [r.url, r.headers['content-type'], JSON.parse(r.body.toString())]),
      [
        ['/0', 'application/json', nested],
        ['/1', 'application/json', []],
      ],
    );
  });
});

describe('bad input', () => {
  test('a body that is not an array of {url, arguments} is a 400 and calls nothing', async () => {
    for (const body of ['not json', { url: endpoint.base }, [{ url: 'ftp://x' }], [{ arguments: [] }]]) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const status = await new Promise<number>((resolve, reject) => {
        request(service.url, { method: 'POST' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end(raw);
      });
      assert.equal(status, 400, raw);
    }
    assert.equal(endpoint.received.length, 0);
    assert.throws(() => parseW3cTestCalls('{}'), /JSON array/);
  });

  test('a callback that cannot be reached is a 502 naming it; the calls after it are still made', async () => {
    const body = [
      { url: 'http://127.0.0.1:1/refused', arguments: [] },
      { url: `${endpoint.base}/1`, arguments: [] },
    ];
    assert.equal(await harness([], body), 502);
    assert.deepEqual(
      endpoint.received.map((r) => r.url),
      ['/1'],
    );
  });
});
