import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { layerContext } from './layered-context.js';

const A = createContextKey('a');
const B = createContextKey('b');

test('a layer answers like the api context would: its own key, then the context below, which stays untouched', () => {
  const base = ROOT_CONTEXT.setValue(A, 'base a').setValue(B, 'base b');
  const layered = layerContext(base, A, 'layer a');
  assert.equal(layered.getValue(A), 'layer a');
  assert.equal(layered.getValue(B), 'base b');
  assert.equal(base.getValue(A), 'base a');

  const deleted = layered.deleteValue(B);
  assert.equal(deleted.getValue(B), undefined);
  assert.equal(deleted.getValue(A), 'layer a');
  assert.equal(layered.getValue(B), 'base b');

  const again = deleted.setValue(B, 'again');
  assert.equal(again.getValue(B), 'again');
  assert.equal(deleted.getValue(B), undefined);
});

test('deep nesting flattens the layers into the base context and keeps every value and removal', () => {
  const keys = Array.from({ length: 40 }, (_, i) => createContextKey(`k${i}`));
  let context: Context = ROOT_CONTEXT.setValue(A, 'kept').setValue(B, 'removed later');
  const chain: Context[] = [];
  for (const [i, key] of keys.entries()) {
    context = i === 20 ? context.deleteValue(B) : context.setValue(key, i);
    if (i === 0) context = layerContext(context, A, 'layer a');
    chain.push(context);
  }
  for (const [i, key] of keys.entries()) assert.equal(context.getValue(key), i === 20 ? undefined : i, `key ${i}`);
  assert.equal(context.getValue(A), 'layer a');
  assert.equal(context.getValue(B), undefined);
  // Contexts made earlier in the chain still see only what was set before them.
  assert.equal(chain[5]?.getValue(keys[6] as symbol), undefined);
  assert.equal(chain[5]?.getValue(keys[5] as symbol), 5);
  assert.equal(chain[19]?.getValue(B), 'removed later');
});
