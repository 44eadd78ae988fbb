// Acceptance (issue 14, TLS): --tls-cert/--tls-key serve every HTTP and gRPC
// listener over TLS; --tls-client-ca makes the receivers require a client
// certificate (mutual TLS) while the query ports take TLS without one; a
// reload swaps the certificates for new connections and drops no open one.
// Certificates are made with the openssl command, into a temporary folder.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials, Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { makeTestPki, type TestPki } from '../packages/server/src/tls/testing/openssl-certificates.js';
import { bearer, testToken, writeAuthFile } from './support/auth-file.js';
import { type CallOptions, grpcChannel, httpCall, PROBES, type Probe } from './support/endpoint-probes.js';
import { sendKnownTrace } from './support/otel-sdk-trace.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const RECEIVER_PORTS = new Set(['otlpHttp', 'otlpGrpc', 'jaegerHttp', 'jaegerGrpc', 'zipkin', 'sampling']);

const dir = makeTempDir('ariadne-tls-');
after(() => removeTempDir(dir));
const a: TestPki = makeTestPki(dir, 'a');
const b: TestPki = makeTestPki(dir, 'b');

/** Whether a probe got an answer at all (any status) or failed below HTTP (TLS handshake, reset). */
async function reaches(probe: Probe, base: string, options: CallOptions): Promise<boolean> {
  try {
    const answer = await probe.call(base, options);
    // gRPC reports a failed handshake as UNAVAILABLE (14), not as an exception.
    return answer.status !== 500 + 14;
  } catch {
    return false;
  }
}

describe('TLS on every listener', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      storage: 'memory',
      tls: { certFile: a.server.certFile, keyFile: a.server.keyFile },
    });
  });
  after(() => server.dispose());

  test('every HTTP and gRPC listener speaks TLS with the given certificate, and only TLS', async () => {
    for (const probe of PROBES) {
      const base = server.urlOf(probe.port);
      assert.match(base, /^(https|grpcs):\/\/127\.0\.0\.1:\d+$/, probe.name);
      const answer = await probe.call(base, { tls: { ca: a.ca.cert } });
      assert.ok(answer.status < 300, `${probe.name}: ${answer.status} ${answer.body}`);
      assert.equal(await reaches(probe, base, { tls: { ca: b.ca.cert } }), false, `${probe.name}: an untrusted CA`);
      const plain = base.replace('https://', 'http://').replace('grpcs://', 'grpc://');
      assert.equal(await reaches(probe, plain, {}), false, `${probe.name}: plaintext`);
    }
  });

  test('the OpenTelemetry gRPC exporter sends over TLS', async () => {
    const exporter = new OTLPTraceExporter({
      url: server.urlOf('otlpGrpc').replace('grpcs://', 'https://'),
      credentials: credentials.createSsl(a.ca.cert),
    });
    const sent = await sendKnownTrace(exporter);
    const answer = await httpCall(`${server.queryUrl}/api/traces/${sent.traceId}`, { tls: { ca: a.ca.cert } });
    assert.equal(answer.status, 200, answer.body);
  });
});

describe('mutual TLS on the receivers, with --auth', () => {
  let server: TestServer;
  const token = testToken(['team-a'], ['ingest', 'query', 'admin']);
  before(async () => {
    server = await startTestServer({
      storage: 'memory',
      authFile: writeAuthFile(dir, [token], 'mtls-auth.jsonl'),
      tls: { certFile: a.server.certFile, keyFile: a.server.keyFile, clientCaFile: a.ca.certFile },
    });
  });
  after(() => server.dispose());

  test('receivers need a client certificate the client CA signed; query ports take TLS without one', async () => {
    const withClient = { ca: a.ca.cert, cert: a.client.cert, key: a.client.key };
    const foreignClient = { ca: a.ca.cert, cert: b.client.cert, key: b.client.key };
    for (const probe of PROBES) {
      const base = server.urlOf(probe.port);
      const answer = await probe.call(base, { tls: withClient, headers: bearer(token) });
      assert.ok(answer.status < 300, `${probe.name} with a client certificate: ${answer.status} ${answer.body}`);
      const without = await reaches(probe, base, { tls: { ca: a.ca.cert }, headers: bearer(token) });
      const foreign = await reaches(probe, base, { tls: foreignClient, headers: bearer(token) });
      if (RECEIVER_PORTS.has(probe.port)) {
        assert.equal(without, false, `${probe.name}: no client certificate`);
        assert.equal(foreign, false, `${probe.name}: a client certificate of another CA`);
      } else {
        assert.equal(without, true, `${probe.name}: the query side asks for no client certificate`);
      }
      if (probe.need === 'open') continue;
      const anonymous = await probe.call(base, { tls: withClient });
      assert.equal(anonymous.status, 401, `${probe.name}: a client certificate is not a token`);
    }
  });

  test('the OpenTelemetry gRPC exporter with a client certificate', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', bearer(token).authorization);
    const exporter = new OTLPTraceExporter({
      url: server.urlOf('otlpGrpc').replace('grpcs://', 'https://'),
      credentials: credentials.createSsl(a.ca.cert, a.client.key, a.client.cert),
      metadata,
    });
    const sent = await sendKnownTrace(exporter);
    const answer = await httpCall(`${server.queryUrl}/api/traces/${sent.traceId}`, {
      tls: { ca: a.ca.cert },
      headers: bearer(token),
    });
    assert.equal(answer.status, 200, answer.body);
  });
});

describe('reloading the certificates', () => {
  test('new connections get the new certificate; open HTTPS and gRPC connections stay', async () => {
    const certFile = join(dir, 'live.crt');
    const keyFile = join(dir, 'live.key');
    copyFileSync(a.server.certFile, certFile);
    copyFileSync(a.server.keyFile, keyFile);
    const server = await startTestServer({ storage: 'memory', tls: { certFile, keyFile } });
    const agent = new Agent({ keepAlive: true, ca: a.ca.cert, maxSockets: 1 });
    const get = (url: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(url, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    const grpcBase = server.urlOf('otlpGrpc');
    // One channel kept open across the reload; an empty OTLP export is answered 200 when it gets through.
    const channel = grpcChannel(grpcBase, '/opentelemetry.proto.collector.trace.v1.TraceService/Export', {
      tls: { ca: a.ca.cert },
    });
    const call = () => channel.call(new Uint8Array(0)).then((answer) => answer.status);
    try {
      assert.equal((await get(`${server.queryUrl}/api/services`)).status, 200);
      assert.equal(await call(), 200);

      copyFileSync(b.server.certFile, certFile);
      copyFileSync(b.server.keyFile, keyFile);
      const outcomes = await server.server.reload();
      assert.deepEqual(
        outcomes.map((o) => [o.part, o.ok]),
        [['tls', true]],
      );

      const again = await get(`${server.queryUrl}/api/services`);
      assert.deepEqual(
        again,
        { status: 200, reused: true },
        'the open HTTPS connection stayed, with the old certificate',
      );
      assert.equal(
        await call(),
        200,
        'the open gRPC connection stayed (a new one would not trust the new certificate)',
      );
      for (const probe of PROBES) {
        const base = server.urlOf(probe.port);
        assert.equal(
          await reaches(probe, base, { tls: { ca: a.ca.cert } }),
          false,
          `${probe.name}: old CA, new connection`,
        );
        assert.equal(await reaches(probe, base, { tls: { ca: b.ca.cert } }), true, `${probe.name}: new CA`);
      }

      copyFileSync(a.server.certFile, certFile);
      const failed = await server.server.reload();
      assert.equal(failed[0]?.ok, false, 'a certificate that does not match its key is refused');
      const probe = PROBES.find((p) => p.name === 'query /api/services')!;
      assert.equal(await reaches(probe, server.queryUrl, { tls: { ca: b.ca.cert } }), true, 'the last good one stays');
    } finally {
      channel.close();
      agent.destroy();
      await server.dispose();
    }
  });
});
