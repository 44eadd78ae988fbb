import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../app/serve-config.js';
import { PATH_FLAGS, parseServeArgs, SERVE_FLAGS, SERVE_SWITCHES, type ServeFlag } from './serve-command.js';

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

test('query timeout: a duration, 30 s by default', () => {
  assert.equal(parse().queryTimeoutMs, 30_000);
  assert.equal(parse('--query-timeout', '2m').queryTimeoutMs, 120_000);
  assert.equal(parse('--query-timeout', '250ms').queryTimeoutMs, 250);
  assert.throws(() => parseServeArgs(['--query-timeout', '30']), /--query-timeout/);
  assert.throws(
    () => parseServeArgs(['--query-timeout', '0s']),
    /--query-timeout must be a positive duration such as 30s/,
  );
  assert.throws(() => parseServeArgs(['--query-timeout', '10us']), /--query-timeout must be at least 1ms/);
});

test('max search window: a duration, 168 h by default', () => {
  const HOUR = 3_600_000_000_000n;
  assert.equal(parse().maxSearchWindowNanos, 168n * HOUR);
  assert.equal(parse('--max-search-window', '24h').maxSearchWindowNanos, 24n * HOUR);
  assert.throws(() => parseServeArgs(['--max-search-window', '7d']), /--max-search-window/);
  assert.throws(
    () => parseServeArgs(['--max-search-window', '0h']),
    /--max-search-window must be a positive duration such as 168h/,
  );
});

test('CORS origins: none by default; repeated or comma-separated; each an exact origin', () => {
  assert.equal(parse().corsOrigins, undefined);
  assert.deepEqual(
    parse('--cors-origin', 'https://a.example.com, http://localhost:3000', '--cors-origin', 'https://b.example.com')
      .corsOrigins,
    ['https://a.example.com', 'http://localhost:3000', 'https://b.example.com'],
  );
  for (const bad of ['*', 'https://a.example.com/', 'ftp://a.example.com', 'a.example.com', ',']) {
    assert.throws(() => parseServeArgs(['--cors-origin', bad]), /--cors-origin/, bad);
  }
});

/** A valid value, other than the default, for every option: a new option without one fails the first test below. */
const SAMPLE_VALUES: Record<ServeFlag, string> = {
  storage: 'clickhouse',
  'data-dir': 'store',
  'max-traces': '5000',
  retention: '72h',
  'retention-kept': '30d',
  'retention-policy': 'retention.yaml',
  'clickhouse-url': 'http://ch:8123',
  'clickhouse-database': 'traces',
  'clickhouse-user': 'ariadne',
  'clickhouse-password': 's3cret: with a colon',
  'clickhouse-cluster': 'main',
  'spool-dir': 'spool',
  'spool-max-bytes': '4096',
  'clickhouse-insert-quorum': '2',
  host: '0.0.0.0',
  'max-body-bytes': '1048576',
  'max-in-flight-spans': '40',
  'max-spans-per-request': '10',
  'max-attributes-per-span': '20',
  'max-attribute-value-length': '30',
  'sampling-strategies': 'strategies.json',
  'sampling-adaptive-target': '2.5',
  'udp-tenant': 'team-udp',
  'max-tenants': '7',
  limits: 'limits.yaml',
  'query-timeout': '45s',
  auth: 'auth.jsonl',
  'tls-cert': 'server.crt',
  'tls-key': 'server.key',
  'tls-client-ca': 'clients.crt',
  'max-search-window': '24h',
  'cors-origin': 'https://grafana.example.com',
  'sampling-adaptive-interval': '30s',
  'log-level': 'debug',
  'log-format': 'text',
  'query-port': '1686',
  'otlp-grpc-port': 'off',
  'otlp-http-port': '0',
  'jaeger-http-port': '1268',
  'jaeger-grpc-port': '1250',
  'jaeger-compact-port': 'off',
  'jaeger-binary-port': '1832',
  'zipkin-port': '1411',
  'sampling-port': '1778',
  'tempo-port': '1200',
};

function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-serve-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // SAMPLE_VALUES' limits file: read when the options are parsed.
  writeFileSync(join(dir, 'limits.yaml'), 'overrides:\n  tenant-a:\n    ingestion: { rate_limit_spans: 10 }\n');
  writeFileSync(join(dir, 'retention.yaml'), 'sample: 0.05\ntenants:\n  tenant-a: { exemplars: 2 }\n');
  return dir;
}

/** The flags SAMPLE_VALUES stands for, with paths as a file in `dir` means them, and every switch on. */
function sampleFlags(dir: string): string[] {
  return [
    ...SERVE_FLAGS.flatMap((flag) => [
      `--${flag}`,
      PATH_FLAGS.includes(flag) ? join(dir, SAMPLE_VALUES[flag]) : SAMPLE_VALUES[flag],
    ]),
    ...SERVE_SWITCHES.map((flag) => `--${flag}`),
  ];
}

test('a YAML --config file sets every option, as the flags would', () => {
  assert.deepEqual(Object.keys(SAMPLE_VALUES).sort(), [...SERVE_FLAGS].sort());
  const dir = configDir();
  const file = join(dir, 'ariadne.yaml');
  // Plain YAML scalars: numbers stay numbers, `off` is a string in YAML 1.2.
  writeFileSync(
    file,
    Object.entries(SAMPLE_VALUES)
      .map(
        ([flag, value]) =>
          `${flag}: ${/^[\w./:-]+$/.test(value) && !value.includes(': ') ? value : JSON.stringify(value)}`,
      )
      .concat(SERVE_SWITCHES.map((flag) => `${flag}: true`))
      .join('\n'),
  );
  const fromFile = parse('--config', file);
  assert.deepEqual(fromFile, parse(...sampleFlags(dir)));
  assert.equal(fromFile.dataDir, join(dir, 'store'), "relative paths are resolved from the file's folder");
  assert.equal(fromFile.ports.otlpGrpc, 'off');
  assert.equal(fromFile.maxTraces, 5000);
});

test('a JSON --config file sets every option; numbers may be numbers', () => {
  const dir = configDir();
  const file = join(dir, 'ariadne.json');
  const json: Record<string, string | number | boolean> = Object.fromEntries(
    Object.entries(SAMPLE_VALUES).map(([flag, value]) => [flag, /^\d+(\.\d+)?$/.test(value) ? Number(value) : value]),
  );
  for (const flag of SERVE_SWITCHES) json[flag] = true;
  writeFileSync(file, JSON.stringify(json, null, 2));
  assert.deepEqual(parse('--config', file), parse(...sampleFlags(dir)));
});

test('flags win over the --config file', () => {
  const dir = configDir();
  const file = join(dir, 'ariadne.yml');
  writeFileSync(file, 'storage: memory\nmax-traces: 10\nquery-port: 16686\nzipkin-port: off\nretention:\n');
  const config = parse('--query-port', '0', '--config', file, '--max-traces', '20');
  assert.equal(config.storage, 'memory');
  assert.equal(config.maxTraces, 20);
  assert.equal(config.ports.query, 0);
  assert.equal(config.ports.zipkin, 'off');
  assert.equal(config.retentionNanos, undefined, 'an empty value leaves the option unset');
  assert.equal(parse('--config', file, '--data-dir', 'here').dataDir, 'here', "a flag's path stays as given");
});

test('the example config in packaging/ parses', () => {
  const config = parse('--config', new URL('../../../../packaging/ariadne.yaml', import.meta.url).pathname);
  assert.equal(config.storage, 'embedded');
  assert.equal(config.dataDir, '/var/lib/ariadne');
  assert.deepEqual(config.ports, DEFAULT_SERVE_CONFIG.ports);
});

test('a --config file that is wrong says where', () => {
  const dir = configDir();
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const refused = (file: string, pattern: RegExp) =>
    assert.throws(
      () => parseServeArgs(['--config', file]),
      (error) => isAriadneError(error, 'InvalidQuery') && pattern.test(error.message),
      file,
    );
  refused(write('port.yaml', 'zipkin-port: 70000\n'), /"zipkin-port" in ".*port\.yaml" must be a port/);
  refused(write('unknown.yaml', 'query_port: 1\n'), /"query_port" in .* is not an option of ariadne serve/);
  refused(write('dashes.yaml', '--query-port: 1\n'), /write option names without dashes/);
  refused(write('list.yaml', 'host: [a, b]\n'), /"host" in .* must be a string or a number/);
  refused(write('bool.yaml', 'jaeger-binary-port: false\n'), /must be a string or a number/);
  refused(write('top.yaml', '- storage: memory\n'), /must hold a mapping/);
  refused(write('bad.yaml', 'storage: [memory\n'), /is not valid/);
  refused(write('bad.json', '{"storage": "memory",}'), /is not valid/);
  refused(write('click.yaml', 'clickhouse-url: http://ch:8123\n'), /"clickhouse-url" in .* needs --storage clickhouse/);
  refused(join(dir, 'missing.yaml'), /cannot read --config/);
  refused(write('config.yaml', 'config: other.yaml\n'), /"config" in .* is not an option/);
  assert.deepEqual(parse('--config', write('empty.yaml', '# nothing set\n')), parse());
});

test('tenancy: --multitenancy, --udp-tenant (a valid tenant id, with multitenancy only) and --max-tenants', () => {
  assert.equal(parse().multitenancy, undefined, 'off by default: everything is one tenant');
  const config = parse('--multitenancy', '--udp-tenant', 'agents', '--max-tenants', '12');
  assert.equal(config.multitenancy, true);
  assert.equal(config.udpTenant, 'agents');
  assert.equal(config.maxTenants, 12);
  assert.throws(() => parseServeArgs(['--udp-tenant', 'agents']), /--udp-tenant needs --multitenancy/);
  assert.throws(() => parseServeArgs(['--multitenancy', '--udp-tenant', 'a/b']), /--udp-tenant: .*not allowed/);
  assert.throws(() => parseServeArgs(['--max-tenants', '0']), /--max-tenants must be a positive integer/);
});

test('--auth and --udp-tenant: UDP ports named on the command line need a tenant', () => {
  assert.equal(parse().authFile, undefined);
  const config = parse('--auth', 'auth.jsonl');
  assert.equal(config.authFile, 'auth.jsonl');
  assert.equal(config.udpTenant, undefined);
  assert.equal(parse('--auth', 'a.jsonl', '--udp-tenant', 'edge').udpTenant, 'edge');
  assert.equal(parse('--auth', 'a.jsonl', '--jaeger-compact-port', 'off').ports.jaegerCompact, 'off');
  assert.throws(() => parseServeArgs(['--udp-tenant', 'edge']), /--udp-tenant needs --multitenancy or --auth/);
  assert.throws(
    () => parseServeArgs(['--auth', 'a.jsonl', '--udp-tenant', '../x']),
    /--udp-tenant: tenant id "\.\.\/x" has a character that is not allowed/,
  );
  assert.throws(
    () => parseServeArgs(['--auth', 'a.jsonl', '--jaeger-binary-port', '6832']),
    /--jaeger-binary-port: with --auth the UDP receivers need --udp-tenant/,
  );
  assert.throws(
    () => parseServeArgs(['--multitenancy', '--jaeger-compact-port', '6831']),
    /--jaeger-compact-port: with --multitenancy the UDP receivers need --udp-tenant/,
  );
});

test('--tls-cert and --tls-key go together; --tls-client-ca needs them', () => {
  assert.equal(parse().tls, undefined);
  assert.deepEqual(parse('--tls-cert', 'c.pem', '--tls-key', 'k.pem').tls, { certFile: 'c.pem', keyFile: 'k.pem' });
  assert.deepEqual(parse('--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-client-ca', 'ca.pem').tls, {
    certFile: 'c.pem',
    keyFile: 'k.pem',
    clientCaFile: 'ca.pem',
  });
  assert.throws(() => parseServeArgs(['--tls-cert', 'c.pem']), /--tls-cert needs --tls-cert and --tls-key together/);
  assert.throws(() => parseServeArgs(['--tls-key', 'k.pem']), /--tls-key needs --tls-cert and --tls-key together/);
  assert.throws(() => parseServeArgs(['--tls-client-ca', 'ca.pem']), /--tls-client-ca needs --tls-cert and --tls-key/);
});

test('--limits reads the file of limits per tenant now, and a mistake in it stops the start with its line', () => {
  const dir = configDir();
  const config = parse('--multitenancy', '--limits', join(dir, 'limits.yaml'));
  assert.equal(config.tenantLimitsFile, join(dir, 'limits.yaml'));
  assert.equal(config.tenantLimits?.overrides.get('tenant-a' as never)?.spansPerSecond, 10);
  assert.equal(parse().tenantLimits, undefined, 'no limits by default');
  const wrong = join(dir, 'wrong.yaml');
  writeFileSync(wrong, 'defaults:\n  read:\n    max_concurrent_searches: many\n');
  assert.throws(
    () => parseServeArgs(['--limits', wrong]),
    (error) =>
      isAriadneError(error, 'InvalidQuery') &&
      /--limits: .*wrong\.yaml:3: defaults\.read\.max_concurrent_searches must be a whole number/.test(error.message),
  );
  assert.throws(() => parseServeArgs(['--limits', join(dir, 'missing.yaml')]), /--limits: cannot read/);
});

test('--retention-kept and --retention-policy: the kept tier, past a shorter --retention', () => {
  const dir = configDir();
  const config = parse(
    '--retention',
    '24h',
    '--retention-kept',
    '30d',
    '--retention-policy',
    join(dir, 'retention.yaml'),
  );
  assert.equal(config.retentionKeptNanos, 30n * 86_400_000_000_000n);
  assert.equal(config.retentionPolicies?.defaults.sampleFraction, 0.05);
  assert.equal(config.retentionPolicies?.tenants['tenant-a']?.exemplarsPerMinute, 2);
  assert.equal(parse('--retention', '1h', '--retention-kept', '2h').retentionPolicies?.defaults.errors, true);
  assert.throws(() => parseServeArgs(['--retention-kept', '30d']), /--retention-kept needs --retention, shorter/);
  assert.throws(() => parseServeArgs(['--retention', '72h', '--retention-kept', '1d']), /shorter than it/);
  assert.throws(() => parseServeArgs(['--retention-policy', 'x.yaml']), /--retention-policy needs --retention-kept/);
  assert.throws(
    () => parseServeArgs(['--retention', '1h', '--retention-kept', '2h', '--retention-policy', join(dir, 'none.yaml')]),
    /cannot read/,
  );
  writeFileSync(join(dir, 'bad.yaml'), 'sample: 7\n');
  assert.throws(
    () => parseServeArgs(['--retention', '1h', '--retention-kept', '2h', '--retention-policy', join(dir, 'bad.yaml')]),
    /bad\.yaml: sample must be a fraction/,
  );
});
