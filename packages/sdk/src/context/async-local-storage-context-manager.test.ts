import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from './async-local-storage-context-manager.js';

const KEY = createContextKey('test');

test('with() sets the active context across await and timers, then restores it', async () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  const ctx = ROOT_CONTEXT.setValue(KEY, 'a');
  assert.equal(manager.active(), ROOT_CONTEXT);
  const seen = await manager.with(ctx, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const afterAwait = manager.active().getValue(KEY);
    const inTimer = await new Promise((resolve) => setTimeout(() => resolve(manager.active().getValue(KEY)), 1));
    return [afterAwait, inTimer];
  });
  assert.deepEqual(seen, ['a', 'a']);
  assert.equal(manager.active(), ROOT_CONTEXT);
  const self = { n: 2 };
  assert.equal(
    manager.with(
      ctx,
      function (this: typeof self, x: number) {
        return this.n * x;
      },
      self,
      21,
    ),
    42,
  );
  manager.disable();
});

test('bind() fixes the context of functions and of event listeners, which stay removable', () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  const ctx = ROOT_CONTEXT.setValue(KEY, 'bound');
  const fn = manager.bind(ctx, (x: number) => [x, manager.active().getValue(KEY)]);
  assert.deepEqual(fn(1), [1, 'bound']);
  const emitter = manager.bind(ctx, new EventEmitter());
  const got: unknown[] = [];
  const listener = () => got.push(manager.active().getValue(KEY));
  emitter.on('e', listener);
  emitter.once('o', listener);
  emitter.emit('e');
  emitter.emit('o');
  emitter.emit('o');
  emitter.removeListener('e', listener);
  emitter.emit('e');
  assert.deepEqual(got, ['bound', 'bound']);
  assert.equal(emitter.listenerCount('e'), 0);
  manager.disable();
});
