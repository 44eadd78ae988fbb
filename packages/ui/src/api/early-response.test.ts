import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earlyResponses } from './early-response.js';

test("the responses index.html's script left on the page are each taken once; nothing else is", async () => {
  const globals = globalThis as Record<string, unknown>;
  const response = Promise.resolve(new Response('{}'));
  globals.__ariadneEarly = { '/api/trace-view/abc': response, '/api/bad': 'not a response' };
  try {
    const early = earlyResponses();
    assert.equal(early.take('/api/trace-view/abc'), response);
    assert.equal(early.take('/api/trace-view/abc'), undefined);
    assert.equal(early.take('/api/bad'), undefined);
  } finally {
    delete globals.__ariadneEarly;
  }
  assert.equal(earlyResponses().take('/api/trace-view/abc'), undefined);
});
