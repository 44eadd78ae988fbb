import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baggageEntryMetadataFromString,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
} from '@opentelemetry/api';
import { W3cBaggagePropagator } from './w3c-baggage-propagator.js';

const propagator = new W3cBaggagePropagator();
const extract = (headers: Record<string, string | string[]>) =>
  propagation.getBaggage(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

test('extract: values percent-decoded, OWS trimmed, properties kept, headers joined', () => {
  const baggage = extract({
    Baggage: ['userId=alice, serverNode = DF%2028 ;  prop1;prop2=v', 'isProduction=false'],
  });
  assert.equal(baggage?.getEntry('userId')?.value, 'alice');
  assert.equal(baggage?.getEntry('serverNode')?.value, 'DF 28');
  assert.equal(baggage?.getEntry('serverNode')?.metadata?.toString(), 'prop1;prop2=v');
  assert.equal(baggage?.getEntry('isProduction')?.value, 'false');
  assert.equal(extract({ baggage: 'k=%E2%9C%93' })?.getEntry('k')?.value, '✓');
});

test('extract: invalid members are skipped, the rest kept', () => {
  const baggage = extract({ baggage: 'good=1,no-equals,bad key=2,q="quoted",pct=%zz,bad;=x,empty=,also=ok' });
  assert.deepEqual(
    baggage
      ?.getAllEntries()
      .map(([k, e]) => `${k}=${e.value}`)
      .sort(),
    ['also=ok', 'empty=', 'good=1'],
  );
  assert.equal(extract({ baggage: 'nothing valid' }), undefined);
});

test('extract: at most 180 members and 8192 bytes', () => {
  const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
  assert.equal(extract({ baggage: many })?.getAllEntries().length, 180);
  const big = Array.from({ length: 10 }, (_, i) => `k${i}=${'x'.repeat(1000)}`).join(',');
  assert.equal(extract({ baggage: big })?.getAllEntries().length, 8);
});

test('inject: encodes values, writes properties, keeps within the limits', () => {
  const baggage = propagation.createBaggage({
    user: { value: 'alice smith,"x";%' },
    with: { value: '1', metadata: baggageEntryMetadataFromString('p=1') },
  });
  const carrier: Record<string, string> = {};
  propagator.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, defaultTextMapSetter);
  assert.equal(carrier.baggage, 'user=alice%20smith%2C%22x%22%3B%25,with=1;p=1');
  assert.equal(extract(carrier)?.getEntry('user')?.value, 'alice smith,"x";%');

  const entries = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, { value: 'v' }]));
  const big: Record<string, string> = {};
  propagator.inject(
    propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(entries)),
    big,
    defaultTextMapSetter,
  );
  assert.equal(big.baggage?.split(',').length, 180);
  const huge = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, { value: 'x'.repeat(1000) }]));
  const sized: Record<string, string> = {};
  propagator.inject(propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(huge)), sized, defaultTextMapSetter);
  assert.ok(Buffer.byteLength(sized.baggage ?? '') <= 8192);
  assert.equal(sized.baggage?.split(',').length, 8);
  const empty: Record<string, string> = {};
  propagator.inject(ROOT_CONTEXT, empty, defaultTextMapSetter);
  assert.deepEqual(empty, {});
});
