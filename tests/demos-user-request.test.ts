// Acceptance (issue 6, demo 4): a root `user_request` with `auth_service`
// (200 ms, log event=authenticated) and `product_service` (500 ms, error, log
// event=product details fetched), read back through the Jaeger query API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OtlpHttpExporter } from '@ariadne/sdk';
import type { RunningService } from '../examples/shared/running-service.js';
import { durationMillis, findTraces, logFields, tag, waitForTrace } from '../examples/testing/jaeger-query.js';
import {
  AUTH_MS,
  PRODUCT_MS,
  startUserRequestService,
  USER_REQUEST_SERVICE_NAME,
} from '../examples/user-request/user-request.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let ariadne: TestServer;
let service: RunningService;

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  service = await startUserRequestService({
    port: 0,
    exporters: [new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} })],
    logStream: { write: () => true },
  });
});

after(async () => {
  await service?.close();
  await ariadne?.dispose();
});

test('user_request → auth_service (200 ms, authenticated) then product_service (500 ms, error)', async () => {
  const response = await fetch(`${service.url}/?user=bob`);
  assert.equal(response.status, 200);
  const { traceId } = (await response.json()) as { traceId: string };
  assert.equal(response.headers.get('x-trace-id'), traceId);
  await service.flush();

  const view = await waitForTrace(ariadne.queryUrl, traceId, 3);
  assert.equal(view.trace.spans.length, 3);
  const root = view.span('user_request', USER_REQUEST_SERVICE_NAME);
  const auth = view.span('auth_service', USER_REQUEST_SERVICE_NAME);
  const product = view.span('product_service', USER_REQUEST_SERVICE_NAME);
  assert.equal(view.parentOf(root), undefined);
  assert.equal(view.parentOf(auth)?.spanID, root.spanID);
  assert.equal(view.parentOf(product)?.spanID, root.spanID);
  assert.ok(product.startTime >= auth.startTime + auth.duration, 'product_service runs after auth_service');

  assert.equal(durationMillis(auth), AUTH_MS);
  assert.equal(durationMillis(product), PRODUCT_MS);
  assert.ok(durationMillis(root) >= AUTH_MS + PRODUCT_MS);

  assert.deepEqual(
    logFields(auth).map((f) => f.event),
    ['authenticated'],
  );
  assert.deepEqual(
    logFields(product).map((f) => f.event),
    ['product details fetched'],
  );
  assert.equal(tag(product, 'error'), true);
  assert.equal(tag(product, 'otel.status_code'), 'ERROR');
  assert.equal(tag(auth, 'error'), undefined);
  assert.equal(tag(root, 'error'), undefined);
  assert.equal(tag(root, 'user.id'), 'bob');

  // The search the UI runs finds it by service, and by the error tag.
  const errors = await findTraces(
    ariadne.queryUrl,
    USER_REQUEST_SERVICE_NAME,
    `&tags=${encodeURIComponent('{"error":"true"}')}`,
  );
  assert.ok(errors.some((t) => t.traceID === traceId));
});
