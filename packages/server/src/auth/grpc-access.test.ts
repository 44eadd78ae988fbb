import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { listenGrpc } from '../receivers/grpc/listen-grpc.js';
import { rawGrpcMethod } from '../receivers/grpc/testing/raw-grpc-method.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { AccessControl } from './access-control.js';
import { hashToken } from './access-token.js';
import { formatAuthEntry } from './auth-file.js';
import { grpcAccessGrantOf, grpcAccessInterceptor } from './grpc-access.js';
import { INGEST } from './http-access.js';

const METHOD = rawGrpcMethod('/test.Echo/Tenant');

test('the interceptor refuses before the message is read and hands the tenant to the handler', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-grpc-access-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth.jsonl');
  writeFileSync(
    file,
    `${formatAuthEntry({ sha256: hashToken('writer'), tenants: ['a', 'b'].map(parseTenantId), roles: ['ingest'] })}\n${formatAuthEntry({ sha256: hashToken('reader'), tenants: [parseTenantId('a')], roles: ['query'] })}\n`,
  );
  let deserialized = 0;
  const listener = await listenGrpc(
    'test',
    '127.0.0.1',
    0,
    [
      {
        definition: {
          Tenant: {
            ...METHOD,
            requestDeserialize: (value: Buffer) => {
              deserialized++;
              return value;
            },
          },
        },
        implementation: {
          Tenant: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
            callback(null, Buffer.from(grpcAccessGrantOf(call.metadata)?.tenant ?? 'none')),
        },
      },
    ],
    {
      maxMessageBytes: 1024,
      interceptors: [grpcAccessInterceptor(new AccessControl(file, new MetricsRegistry()), 'test', INGEST)],
    },
  );
  const Client = makeGenericClientConstructor({ Tenant: METHOD }, 'Echo');
  const client = new Client(listener.url.replace('grpc://', ''), credentials.createInsecure());
  const call = (entries: Record<string, string>) => {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
    return new Promise<string>((resolve, reject) =>
      (
        client as unknown as {
          Tenant: (m: Buffer, md: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void) => void;
        }
      ).Tenant(Buffer.from('hello'), metadata, (error, response) =>
        error ? reject(error) : resolve(String(response)),
      ),
    );
  };
  try {
    assert.equal(await call({ authorization: 'Bearer writer', 'x-scope-orgid': 'b' }), 'b');
    assert.equal(deserialized, 1);
    await assert.rejects(call({}), { code: status.UNAUTHENTICATED });
    await assert.rejects(call({ authorization: 'Bearer nope' }), { code: status.UNAUTHENTICATED });
    await assert.rejects(call({ authorization: 'Bearer reader' }), {
      code: status.PERMISSION_DENIED,
      details: 'this token does not have the ingest role',
    });
    await assert.rejects(call({ authorization: 'Bearer writer' }), { code: status.PERMISSION_DENIED });
    assert.equal(deserialized, 1, 'no refused message was read');
    assert.equal(
      await call({ authorization: `Basic ${Buffer.from('user:writer').toString('base64')}`, 'x-scope-orgid': 'a' }),
      'a',
    );
  } finally {
    client.close();
    await listener.close();
  }
});
