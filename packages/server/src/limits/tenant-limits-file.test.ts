import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { limitsOf } from './tenant-limits.js';
import { parseTenantLimits, readTenantLimitsFile, TenantLimitsFileError } from './tenant-limits-file.js';

const A = parseTenantId('tenant-a');
const B = parseTenantId('tenant-b');

test('defaults hold for every tenant; overrides change only the keys they name', () => {
  const config = parseTenantLimits(`
defaults:
  ingestion:
    rate_limit_spans: 10000
    burst_size_spans: 20000
    rate_limit_bytes: 15000000
  read:
    max_concurrent_searches: 8
    max_search_duration: 168h
overrides:
  tenant-a:
    ingestion:
      rate_limit_spans: 100
    read:
      max_search_duration: 1h
  tenant-b:
    ingestion:
      rate_limit_spans: 0
`);
  assert.deepEqual(limitsOf(config, parseTenantId('anyone')), {
    spansPerSecond: 10_000,
    spansBurst: 20_000,
    bytesPerSecond: 15_000_000,
    maxConcurrentSearches: 8,
    maxSearchWindowNanos: 168n * 3_600_000_000_000n,
  });
  assert.deepEqual(limitsOf(config, A), {
    spansPerSecond: 100,
    spansBurst: 20_000,
    bytesPerSecond: 15_000_000,
    maxConcurrentSearches: 8,
    maxSearchWindowNanos: 3_600_000_000_000n,
  });
  assert.equal(limitsOf(config, B).spansPerSecond, 0);
});

test('JSON is read too, and an empty file or section limits nothing', () => {
  const config = parseTenantLimits(
    JSON.stringify({ overrides: { 'tenant-a': { ingestion: { rate_limit_spans: 5, burst_size_spans: 10 } } } }),
  );
  assert.deepEqual(limitsOf(config, A), { spansPerSecond: 5, spansBurst: 10 });
  assert.deepEqual(limitsOf(config, B), {});
  assert.deepEqual(limitsOf(parseTenantLimits(''), A), {});
  assert.deepEqual(limitsOf(parseTenantLimits('defaults:\noverrides:\n'), A), {});
});

/** The message of what `parse` throws; fails the test when it does not throw. */
function errorOf(source: string): string {
  try {
    parseTenantLimits(source, 'limits.yaml');
  } catch (error) {
    assert.ok(error instanceof TenantLimitsFileError, String(error));
    return error.message;
  }
  assert.fail(`no error for:\n${source}`);
}

test('mistakes are refused with the line and the key', () => {
  assert.equal(
    errorOf('defaults:\n  ingestion:\n    rate_limit_span: 10\n'),
    'limits.yaml:3: unknown key "defaults.ingestion.rate_limit_span"; ingestion takes rate_limit_spans, burst_size_spans, rate_limit_bytes, burst_size_bytes',
  );
  assert.match(
    errorOf('defaults:\n  ingest:\n    rate_limit_spans: 10\n'),
    /^limits\.yaml:2: defaults: unknown key "ingest"/,
  );
  assert.match(errorOf('limits:\n  a: 1\n'), /^limits\.yaml:1: unknown key "limits"/);
  assert.match(
    errorOf('overrides:\n  tenant-a:\n    ingestion:\n      rate_limit_spans: -1\n'),
    /^limits\.yaml:4: overrides\.tenant-a\.ingestion\.rate_limit_spans must be a whole number/,
  );
  assert.match(
    errorOf('defaults:\n  ingestion:\n    rate_limit_bytes: "lots"\n'),
    /^limits\.yaml:3: .*rate_limit_bytes must be a whole number.*"lots"/,
  );
  assert.match(
    errorOf('defaults:\n  read:\n    max_search_duration: 3 days\n'),
    /^limits\.yaml:3: defaults\.read\.max_search_duration must be a duration such as 24h/,
  );
  assert.match(errorOf('overrides:\n  "a|b":\n    read: {}\n'), /^limits\.yaml:2: overrides: tenant id "a\|b"/);
  assert.match(
    errorOf('overrides:\n  tenant-a:\n    ingestion:\n      burst_size_bytes: 100\n'),
    /^limits\.yaml:4: overrides\.tenant-a\.ingestion\.burst_size_bytes needs rate_limit_bytes/,
  );
  assert.match(errorOf('defaults: [1, 2]\n'), /^limits\.yaml:1: defaults must be a mapping/);
  assert.match(
    errorOf('defaults:\n  read: {max_concurrent_searches: 1\n'),
    /^limits\.yaml:\d+: not valid YAML or JSON/,
  );
});

test('a tenant that turns the default rate off also turns off its burst', () => {
  const config = parseTenantLimits(`
defaults:
  ingestion: { rate_limit_spans: 10, burst_size_spans: 20 }
overrides:
  tenant-a:
    ingestion: { rate_limit_spans: 0 }
`);
  assert.equal(limitsOf(config, A).spansPerSecond, 0);
});

test('an unreadable file names itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));
  assert.throws(() => readTenantLimitsFile(join(dir, 'missing.yaml')), /cannot read ".*missing\.yaml"/);
  const file = join(dir, 'limits.json');
  writeFileSync(file, '{"defaults": {"read": {"max_concurrent_searches": 2}}}');
  assert.equal(limitsOf(readTenantLimitsFile(file), A).maxConcurrentSearches, 2);
});
