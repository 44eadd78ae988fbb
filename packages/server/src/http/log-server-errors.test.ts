import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../telemetry/logger.js';
import { logServerErrors } from './log-server-errors.js';

test('answers of 500 and more are logged with their path and message; others are not', async () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) });
  const handler = logServerErrors(
    (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === '/boom') throw new Error('handler threw');
      if (path === '/down')
        return Response.json({ errors: [{ code: 503, msg: 'ClickHouse unreachable' }] }, { status: 503 });
      return new Response('not here', { status: 404 });
    },
    logger,
    'query',
  );
  assert.equal((await handler(new Request('http://x/missing'))).status, 404);
  assert.equal(lines.length, 0);
  const down = await handler(new Request('http://x/down?service=secret-search'));
  assert.equal(down.status, 503);
  assert.match(await down.text(), /ClickHouse unreachable/, 'the client still gets the whole body');
  await assert.rejects(handler(new Request('http://x/boom')), /handler threw/);
  const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(first?.level, 'error');
  assert.equal(first?.path, '/down');
  assert.equal(first?.status, 503);
  assert.match(String(first?.answer), /ClickHouse unreachable/);
  assert.ok(!lines[0]!.includes('secret-search'), 'the query string is not logged');
  assert.equal((second?.err as { message: string } | undefined)?.message, 'handler threw');
});
