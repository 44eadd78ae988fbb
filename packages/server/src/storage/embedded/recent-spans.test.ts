import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RecentSpans } from './recent-spans.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-recent-'));
  dirs.push(dir);
  return dir;
};

test('admits a hash once, and forgets it once `window` others came after', () => {
  const recent = new RecentSpans(10);
  assert.ok(recent.admit(1, 2));
  assert.ok(!recent.admit(1, 2));
  assert.ok(recent.admit(2, 1), 'both halves count');
  for (let i = 10; i < 30; i++) recent.admit(i, i);
  assert.ok(recent.admit(1, 2), 'out of the window: taken again');
});

test('a saved window is loaded once (the file goes), and a damaged or missing file adds nothing', async () => {
  const dir = await freshDir();
  const path = join(dir, 'recent-spans');
  const before = new RecentSpans(100);
  for (let i = 1; i <= 50; i++) before.admit(i, 1_000 + i);
  await before.save(path);
  const after = new RecentSpans(100);
  await after.load(path);
  assert.deepEqual(await readdir(dir), [], 'the file describes the store as it closed: read once');
  for (let i = 1; i <= 50; i++) assert.ok(!after.admit(i, 1_000 + i), `hash ${i} came back`);
  assert.ok(after.admit(51, 1_051));

  await before.save(path);
  await writeFile(path, Buffer.from('ARDNRCT1 cut short'));
  const damaged = new RecentSpans(100);
  await damaged.load(path);
  assert.ok(damaged.admit(1, 1_001), 'nothing loaded from a damaged file');
  await damaged.load(path);
});
