// The write side of the tenant isolation tests: tenants A and B each send
// their `tenantSpans` (distinct traces sharing service and operation names,
// and a trace id), with whatever says whose a request is: X-Scope-OrgID
// (--multitenancy) or a token (--auth).
import assert from 'node:assert/strict';
import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto } from '@ariadne/protocol';
import { type ServiceError, status } from '@grpc/grpc-js';
import { rawIngestClient } from '../../packages/server/src/receivers/grpc/testing/raw-ingest-client.js';
import { A_MARKS, B_MARKS, tenantSpans } from '../../packages/server/src/tenancy/testing/tenant-traces.js';
import type { TestServer } from './test-server.js';

/** Request headers, also sent as gRPC metadata: so lowercase names (`x-scope-orgid`, `authorization`). */
export type Credentials = Readonly<Record<string, string>>;

/**
 * A's spans over OTLP/HTTP (JSON), B's over OTLP/gRPC, each request with its
 * tenant's credentials and nothing else to say whose it is; resolves once
 * both are stored.
 */
export async function writeTenantTraces(
  server: TestServer,
  credentials: { readonly a: Credentials; readonly b: Credentials },
  startNanos: bigint,
): Promise<void> {
  const posted = await sendRetrying(() =>
    fetch(`${server.urlOf('otlpHttp')}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...credentials.a },
      body: encodeOtlpTraceRequestJson(tenantSpans(A_MARKS, startNanos)),
    }),
  );
  assert.equal(posted.status, 200, await posted.text());
  const grpc = rawIngestClient(server.urlOf('otlpGrpc').replace(/^grpc:\/\//, ''));
  try {
    const body = encodeOtlpTraceRequestProto(tenantSpans(B_MARKS, startNanos));
    await grpcRetrying(() => grpc.call('Export', body, credentials.b));
  } finally {
    grpc.close();
  }
}

/**
 * Sends as an exporter does: again while the server says "retry later". A
 * tenant's first request opens its stores (an embedded store starts its
 * thread), which may outlast the answer deadline; the write goes on, and a
 * retry's copies are kept once.
 */
export async function sendRetrying(send: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if ((response.status !== 429 && response.status !== 503) || attempt === 20) return response;
    await response.body?.cancel();
  }
}

/** `sendRetrying` for a gRPC call: again while it ends UNAVAILABLE. */
export async function grpcRetrying(send: () => Promise<Buffer>): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if ((error as ServiceError).code !== status.UNAVAILABLE || attempt === 20) throw error;
    }
  }
}
