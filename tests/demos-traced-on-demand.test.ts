// Acceptance (issue 6, demo 5): a service configured only by
// TRACES_EXPORTER=jaeger TRACES_EXPORTER_JAEGER_AGENT_HOST/PORT samples nothing,
// except requests carrying `jaeger-debug-id`, whose traces carry the id as a tag
// and arrive over the Jaeger agent's UDP port.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningService } from '../examples/shared/running-service.js';
import { findTraces, tag, waitForTrace } from '../examples/testing/jaeger-query.js';
import {
  DEMO_DEBUG_ID,
  ON_DEMAND_SERVICE_NAME,
  startOnDemandService,
} from '../examples/traced-on-demand/on-demand-service.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let ariadne: TestServer;
let service: RunningService;

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  const agent = new URL(ariadne.urlOf('jaegerCompact'));
  service = await startOnDemandService({
    port: 0,
    // The whole configuration, exactly the variables the issue names (nothing from the test's own environment).
    env: {
      TRACES_EXPORTER: 'jaeger',
      TRACES_EXPORTER_JAEGER_AGENT_HOST: agent.hostname,
      TRACES_EXPORTER_JAEGER_AGENT_PORT: agent.port,
    },
    logStream: { write: () => true },
  });
});

after(async () => {
  await service?.close();
  await ariadne?.dispose();
});

async function get(headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${service.url}/`, { headers });
  assert.equal(response.status, 200);
  await response.text();
  return response.headers.get('x-trace-id') ?? '';
}

test('only the request with jaeger-debug-id is traced, and its trace carries the id', async () => {
  const plain = [await get(), await get(), await get({ 'x-unrelated': '1' })];
  const debugTraceId = await get({ 'jaeger-debug-id': DEMO_DEBUG_ID });
  plain.push(await get());
  await service.flush();

  const view = await waitForTrace(ariadne.queryUrl, debugTraceId, 2);
  assert.equal(view.trace.spans.length, 2);
  const root = view.span('GET /', ON_DEMAND_SERVICE_NAME);
  const child = view.span('load greeting', ON_DEMAND_SERVICE_NAME);
  assert.equal(view.parentOf(root), undefined);
  assert.equal(view.parentOf(child)?.spanID, root.spanID);
  assert.equal(tag(root, 'jaeger-debug-id'), DEMO_DEBUG_ID);
  assert.equal(tag(root, 'http.request.header.jaeger-debug-id'), DEMO_DEBUG_ID);
  assert.equal(tag(root, 'propagation.format'), 'jaeger-debug-id');
  assert.equal(tag(child, 'greeting.source'), 'memory');

  // Nothing else was sampled: the service has exactly one trace, found by its debug-id tag too.
  for (const traceId of plain) {
    const response = await fetch(`${ariadne.queryUrl}/api/traces/${traceId}`);
    assert.equal(response.status, 404, `plain request ${traceId} was not traced`);
  }
  const all = await findTraces(ariadne.queryUrl, ON_DEMAND_SERVICE_NAME);
  assert.deepEqual(
    all.map((t) => t.traceID),
    [debugTraceId],
  );
  const tagged = await findTraces(
    ariadne.queryUrl,
    ON_DEMAND_SERVICE_NAME,
    `&tags=${encodeURIComponent(JSON.stringify({ 'jaeger-debug-id': DEMO_DEBUG_ID }))}`,
  );
  assert.deepEqual(
    tagged.map((t) => t.traceID),
    [debugTraceId],
  );
});
