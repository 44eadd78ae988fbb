import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../app/serve-config.js';
import { parseServeArgs } from './serve-command.js';

const parse = (...args: string[]) => parseServeArgs(args) as ServeConfig;

test('defaults are the ports Jaeger, Zipkin and OTel use', () => {
  assert.deepEqual(parse().ports, {
    query: 16686,
    otlpHttp: 4318,
    otlpGrpc: 4317,
    jaegerHttp: 14268,
    jaegerGrpc: 14250,
    jaegerCompact: 6831,
    jaegerBinary: 6832,
    zipkin: 9411,
    sampling: 5778,
    tempo: 3200,
  });
  assert.equal(parse().retentionNanos, undefined);
  assert.equal(parse().clickhouse, undefined);
});

test('every receiver port takes a number or off', () => {
  const config = parse(
    '--otlp-grpc-port',
    'off',
    '--zipkin-port',
    '0',
    '--jaeger-compact-port',
    '16831',
    '--jaeger-binary-port',
    'off',
    '--jaeger-http-port',
    '1',
    '--jaeger-grpc-port',
    'off',
    '--otlp-http-port',
    'off',
  );
  assert.deepEqual(config.ports, {
    ...DEFAULT_SERVE_CONFIG.ports,
    otlpGrpc: 'off',
    zipkin: 0,
    jaegerCompact: 16831,
    jaegerBinary: 'off',
    jaegerHttp: 1,
    jaegerGrpc: 'off',
    otlpHttp: 'off',
  });
  for (const bad of [
    ['--zipkin-port', '70000'],
    ['--zipkin-port', 'of'],
    ['--zipkin-port', ''],
    ['--query-port', 'off'],
  ]) {
    assert.throws(
      () => parseServeArgs(bad),
      (error) => isAriadneError(error, 'InvalidQuery'),
      bad.join(' '),
    );
  }
});

test('storage flags reach the store config', () => {
  const config = parse(
    '--storage',
    'clickhouse',
    '--retention',
    '72h',
    '--clickhouse-url',
    'http://ch:8123',
    '--clickhouse-user',
    'ariadne',
    '--clickhouse-password',
    's3cret',
    '--clickhouse-cluster',
    'main',
  );
  assert.equal(config.storage, 'clickhouse');
  assert.equal(config.retentionNanos, 72n * 3_600_000_000_000n);
  assert.deepEqual(config.clickhouse, {
    url: 'http://ch:8123',
    database: 'ariadne',
    username: 'ariadne',
    password: 's3cret',
    cluster: 'main',
  });
  assert.deepEqual(parse('--storage', 'clickhouse').clickhouse, { url: 'http://127.0.0.1:8123', database: 'ariadne' });
  assert.equal(parse('--retention', '1h30m').retentionNanos, 5_400_000_000_000n);
  assert.throws(() => parseServeArgs(['--retention', '3 days']), /retention/);
  assert.throws(() => parseServeArgs(['--retention', '0']), /positive/);
  assert.throws(() => parseServeArgs(['--clickhouse-url', 'http://ch:8123']), /needs --storage clickhouse/);
});

test('ingest limits', () => {
  const config = parse(
    '--max-spans-per-request',
    '10',
    '--max-attributes-per-span',
    '20',
    '--max-attribute-value-length',
    '30',
    '--max-in-flight-spans',
    '40',
    '--max-body-bytes',
    '1048576',
  );
  assert.deepEqual(config.limits, { maxSpansPerRequest: 10, maxAttributesPerSpan: 20, maxAttributeValueLength: 30 });
  assert.equal(config.maxInFlightSpans, 40);
  assert.equal(config.maxBodyBytes, 1_048_576);
  assert.deepEqual(parse().limits, DEFAULT_SERVE_CONFIG.limits);
  assert.equal(parse().maxBodyBytes, 20 * 1024 * 1024);
  assert.throws(() => parseServeArgs(['--max-attributes-per-span', '0']), /positive integer/);
  assert.throws(() => parseServeArgs(['--max-body-bytes', '20MiB']), /--max-body-bytes must be a positive integer/);
});
