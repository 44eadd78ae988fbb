import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeSlices } from './time-slices.js';

test('a long loop gives the event loop turns between slices', async () => {
  const slices = new TimeSlices(1);
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  try {
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // Busy work: without the slices, the interval could not run until the loop ends.
      const pause = slices.next();
      if (pause) await pause;
    }
  } finally {
    clearInterval(ticker);
  }
  assert.ok(turns > 0, 'timers ran during the loop');
});

test('within a slice, next() asks for no turn', () => {
  const slices = new TimeSlices(60_000);
  assert.equal(slices.next(), undefined);
});
