import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modulesOfRole } from '../app/server-roles.js';
import { helpOfRole, parseServeArgs, SERVE_HELP } from './serve-command.js';

const CLICKHOUSE = ['--storage', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:8123'];

test('collector and query need ClickHouse, and say why and what to run instead', () => {
  for (const role of ['collector', 'query'] as const) {
    for (const storage of ['embedded', 'memory']) {
      assert.throws(
        () => parseServeArgs(['--storage', storage], role),
        new RegExp(
          `: ariadne ${role}: it needs --storage clickhouse, not ${storage} .*belongs to one process.*run ariadne serve \\(see ariadne ${role} --help\\)$`,
        ),
      );
    }
    assert.throws(() => parseServeArgs([], role), /needs --storage clickhouse, not embedded/);
    assert.throws(
      () => parseServeArgs([...CLICKHOUSE, '--max-traces', '0'], role),
      new RegExp(`: ariadne ${role}: --max-traces`),
    );
    const config = parseServeArgs(CLICKHOUSE, role);
    assert.ok(config !== 'help');
    assert.equal(config.role, role);
  }
  const all = parseServeArgs([]);
  assert.ok(all !== 'help');
  assert.equal(all.role, undefined, 'serve runs everything, with any store');
});

test('each role runs its own modules: receivers on collectors, query APIs on query nodes', () => {
  const names = (role: 'all' | 'collector' | 'query') => modulesOfRole(role).map((module) => module.name);
  assert.deepEqual(names('collector'), ['admin', 'otlp', 'jaeger', 'zipkin', 'sampling']);
  assert.deepEqual(names('query'), ['query', 'zipkin', 'tempo']);
  assert.deepEqual(names('all'), ['query', 'otlp', 'jaeger', 'zipkin', 'sampling', 'tempo']);
});

test('--log-level and --log-format are checked; absent, the logger picks by the terminal', () => {
  const config = parseServeArgs(['--log-level', 'debug', '--log-format', 'json']);
  assert.ok(config !== 'help');
  assert.deepEqual(config.log, { level: 'debug', format: 'json' });
  const plain = parseServeArgs([]);
  assert.ok(plain !== 'help');
  assert.equal(plain.log, undefined);
  assert.throws(() => parseServeArgs(['--log-level', 'trace']), /--log-level must be one of error, warn, info, debug/);
  assert.throws(() => parseServeArgs(['--log-format', 'xml']), /--log-format must be one of json, text/);
});

test('--sampling-adaptive-interval is a duration', () => {
  const config = parseServeArgs(['--sampling-adaptive-interval', '2s']);
  assert.ok(config !== 'help');
  assert.equal(config.adaptiveSamplingIntervalMs, 2000);
  assert.throws(() => parseServeArgs(['--sampling-adaptive-interval', 'soon']), /--sampling-adaptive-interval/);
});

test('each role has its own help, with every option of serve', () => {
  assert.equal(helpOfRole('all'), SERVE_HELP);
  const collector = helpOfRole('collector');
  assert.match(collector, /^Usage: ariadne collector --storage clickhouse/);
  assert.match(collector, /no web UI and no query API/);
  assert.match(collector, /embedded store belongs to one process/);
  assert.match(helpOfRole('query'), /^Usage: ariadne query --storage clickhouse/);
  for (const help of [collector, helpOfRole('query')]) {
    assert.match(help, /--clickhouse-url/);
    assert.match(help, /--log-format/);
    assert.doesNotMatch(help, /Runs the all-in-one server/);
  }
});
