import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupInsert } from './group-insert.js';

/** A sender that records bodies and lets the test finish each insert when it wants. */
function recordingSender() {
  const sent: { body: string; finish: (error?: Error) => void }[] = [];
  const send = (body: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      sent.push({
        body: Buffer.from(body).toString(),
        finish: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  return { sent, send };
}

const bytes = (text: string) => Buffer.from(text);
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('writes go out at once while inserts are free, then wait and go out together', async () => {
  const { sent, send } = recordingSender();
  const inserts = new GroupInsert(send, { concurrency: 1 });
  const first = inserts.write(bytes('a\n'));
  const second = inserts.write(bytes('b\n'));
  const third = inserts.write(bytes('c\n'));
  await tick();
  assert.deepEqual(
    sent.map((insert) => insert.body),
    ['a\n'],
  );
  sent[0]!.finish();
  await first;
  await tick();
  assert.deepEqual(
    sent.map((insert) => insert.body),
    ['a\n', 'b\nc\n'],
  );
  sent[1]!.finish();
  await Promise.all([second, third]);
});

test('a failed insert rejects every write it carried, and later writes still go out', async () => {
  const { sent, send } = recordingSender();
  const inserts = new GroupInsert(send, { concurrency: 1 });
  const first = inserts.write(bytes('a\n'));
  const second = inserts.write(bytes('b\n'));
  const third = inserts.write(bytes('c\n'));
  await tick();
  sent[0]!.finish();
  await first;
  await tick();
  sent[1]!.finish(new Error('boom'));
  await assert.rejects(second, /boom/);
  await assert.rejects(third, /boom/);
  const fourth = inserts.write(bytes('d\n'));
  await tick();
  assert.equal(sent[2]?.body, 'd\n');
  sent[2]!.finish();
  await fourth;
});

test('groups stop at the body size limit; an empty write resolves at once', async () => {
  const { sent, send } = recordingSender();
  const inserts = new GroupInsert(send, { concurrency: 1, maxBodyBytes: 4 });
  await inserts.write(bytes(''));
  const writes = ['aa\n', 'bb\n', 'cc\n', 'ddddd\n'].map((body) => inserts.write(bytes(body)));
  for (let i = 0; i < 4; i++) {
    await tick();
    sent[i]?.finish();
  }
  await Promise.all(writes);
  assert.deepEqual(
    sent.map((insert) => insert.body),
    ['aa\n', 'bb\n', 'cc\n', 'ddddd\n'],
  );
});
