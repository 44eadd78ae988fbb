import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, defaultLogFormat, scrubSecretsInText, textLine } from './logger.js';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, write: (line) => lines.push(line) });
  return { logger, lines };
}

test('JSON lines carry the level by name, the time, the message and the context', () => {
  const { logger, lines } = capture();
  logger.info({ receiver: 'otlp-http' }, 'listening');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(record.level, 'info');
  assert.equal(record.msg, 'listening');
  assert.equal(record.receiver, 'otlp-http');
  assert.match(String(record.time), /^\d{4}-\d\d-\d\dT/);
});

test('the level filters: debug is silent at info, error passes at error', () => {
  const { logger, lines } = capture({ level: 'error' });
  logger.info('quiet');
  logger.warn('quiet too');
  logger.error({ err: new Error('disk full') }, 'write failed');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!) as { err: { message: string; stack: string } };
  assert.equal(record.err.message, 'disk full');
  assert.match(record.err.stack, /logger\.test/);
});

test('the text format is one readable line with the context as key=value, and the stack below', () => {
  const { logger, lines } = capture({ format: 'text' });
  logger.error({ err: new Error('boom'), receiver: 'zipkin', note: 'two words' }, 'request failed');
  const [first, ...rest] = lines[0]!.split('\n');
  assert.match(first!, /^\d{4}-\S+ ERROR request failed .*receiver=zipkin/);
  assert.match(first!, /note="two words"/);
  assert.match(first!, /err="boom"/);
  assert.match(rest.join('\n'), /^ {4}Error: boom/);
  assert.equal(textLine('not json'), 'not json');
});

test('secrets never reach a line: known keys, URLs, headers and the exact values given', () => {
  const { logger, lines } = capture({ secrets: ['s3cr"et', undefined, ''] });
  logger.info({ clickhouse: { url: 'http://ch:8123', password: 'pw-in-config' } }, 'config');
  logger.info({ headers: { authorization: 'Bearer abc.def' } }, 'request');
  logger.error({ err: new Error('cannot reach http://bob:hunter2@ch:8123/?password=qq') }, 'store down');
  logger.warn('auth header was Bearer ariadne_0123456789abcdef');
  logger.warn('the password is s3cr"et');
  const all = lines.join('');
  for (const secret of ['pw-in-config', 'abc.def', 'hunter2', 'qq', 'ariadne_0123456789abcdef', 's3cr']) {
    assert.ok(!all.includes(secret), `${secret} leaked into: ${all}`);
  }
  assert.match(all, /\[redacted\]/);
  assert.match(all, /http:\/\/ch:8123/, 'what is not secret stays');
});

test('scrubSecretsInText keeps ordinary text as it is', () => {
  assert.equal(
    scrubSecretsInText('wrote 12 spans to http://127.0.0.1:8123'),
    'wrote 12 spans to http://127.0.0.1:8123',
  );
});

test('the default format is text on a terminal, JSON otherwise', () => {
  assert.equal(defaultLogFormat({ isTTY: true }), 'text');
  assert.equal(defaultLogFormat({ isTTY: false }), 'json');
  assert.equal(defaultLogFormat({}), 'json');
});
