import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsRegistry } from '../../telemetry/metrics-registry.js';
import { SpoolGroup } from './spool-group.js';

test('the byte budget is shared, and a full spool says it cannot take writes', () => {
  const group = new SpoolGroup(1_000);
  assert.equal(group.canAcceptWrites, true);
  group.added(600);
  assert.equal(group.fits(400), true);
  assert.equal(group.fits(401), false);
  group.added(395);
  assert.equal(group.canAcceptWrites, false);
  group.removed(500);
  assert.equal(group.canAcceptWrites, true);
  assert.equal(group.bytes, 495);
});

test('metrics: bytes, the oldest waiting batch of any member, the replay rate over ten seconds', () => {
  const registry = new MetricsRegistry();
  const group = new SpoolGroup(4_096, registry);
  const members = [{ oldestAppendedAtMs: 5_000 as number | undefined }, { oldestAppendedAtMs: undefined }];
  const leave = members.map((member) => group.join(member));
  group.added(100);
  assert.equal(group.oldestAgeSeconds(7_500), 2.5);
  members[0]!.oldestAppendedAtMs = undefined;
  assert.equal(group.oldestAgeSeconds(7_500), 0);
  group.countReplayed(300, 3, 10_000);
  group.countReplayed(200, 2, 15_000);
  assert.equal(group.replayRate(15_000), 50);
  assert.equal(group.replayRate(21_000), 20); // the first left the window
  group.countSpooled(40);
  group.countRefused(7);
  const text = registry.render();
  for (const line of [
    'ariadne_spool_bytes 100',
    'ariadne_spool_max_bytes 4096',
    'ariadne_spool_oldest_age_seconds 0',
    'ariadne_spool_spooled_spans_total 40',
    'ariadne_spool_replayed_spans_total 500',
    'ariadne_spool_replayed_batches_total 5',
    'ariadne_spool_refused_spans_total 7',
  ]) {
    assert.match(text, new RegExp(`^${line}$`, 'm'));
  }
  assert.match(text, /^ariadne_spool_replay_spans_per_second \d/m);
  for (const done of leave) done();
});
