// SIGKILL during compactions: whatever step a compaction was at, every trace
// the kept tier holds afterwards is whole, none is there twice, and every
// error trace is kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BlockReader } from './block-file.js';
import { parseBlockName } from './block-names.js';
import { openEmbeddedStore } from './embedded-store.js';
import { retentionTestTrace, traceIdOf } from './retention-test-traces.js';

const HOUR = 3_600_000_000_000n;
const SECOND = 1_000_000_000n;
const T0 = 1_767_225_600_000_000_000n;
const TRACES = 1_200;
const isError = (n: number) => n % 50 === 0;

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Runs the fixture; resolves with its output lines once it is SIGKILLed at `stopAt`, or once it ends. */
function runFixture(dataDir: string, stopAt: string): Promise<{ lines: string[]; killed: boolean }> {
  const script = fileURLToPath(new URL('./compaction-crash.fixture.ts', import.meta.url));
  const now = String(T0 + 10n * HOUR);
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', script, dataDir, now, stopAt],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [step, count = '1'] = stopAt.split(':');
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let pending = '';
  let seen = 0;
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (step !== '' && line.includes(`"type":"${step}"`) && ++seen === Number(count)) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lines, killed: true });
      else if (code === 0) resolve({ lines, killed: false });
      else reject(new Error(`fixture exited with ${code}: ${stderr}`));
    });
  });
}

/** Every span of every block file, as the files are (no store in between). */
async function spansOnDisk(dataDir: string): Promise<Map<string, string[]>> {
  const spans = new Map<string, string[]>();
  const blockDir = join(dataDir, 'blocks');
  for (const name of await readdir(blockDir)) {
    if (parseBlockName(name) === undefined) continue;
    const block = await BlockReader.open(join(blockDir, name));
    try {
      const { pages } = await block.meta();
      for (let page = 0; page < pages.length; page++) {
        for (const span of await block.readPage(page)) {
          spans.set(span.traceId, [...(spans.get(span.traceId) ?? []), span.spanId]);
        }
      }
    } finally {
      await block.close();
    }
  }
  return spans;
}

test('SIGKILL at any step of a compaction: kept traces whole, none twice, every error kept', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-compaction-crash-'));
  dirs.push(dataDir);
  // Three hours of traces in several blocks; a tenth of them cross an hour (spans in two blocks).
  const store = await openEmbeddedStore({ dataDir, maxHeadSpans: 400, maxHeadAgeMs: 3_600_000 });
  for (let n = 1; n <= TRACES; n++) {
    const start = T0 + (BigInt(n) * 3n * HOUR) / BigInt(TRACES) - (n % 10 === 0 ? 1n : 0n) * SECOND;
    const [root, child] = retentionTestTrace({ n, startNanos: start, error: isError(n) });
    await store.writeSpans([root!, { ...child!, startTimeUnixNano: child!.startTimeUnixNano + 2n * SECOND }]);
  }
  await store.close();
  const before = await spansOnDisk(dataDir);
  assert.equal(before.size, TRACES);

  // Stopped and killed: right after a kept block is renamed in (the old one still there), while
  // another is being compacted, after a few complete, after a merge of kept blocks is renamed
  // in (its sources still there); then a run to the end.
  const first = await runFixture(dataDir, 'renamed:1');
  assert.equal(first.killed, true);
  // The old block and its kept replacement are both on disk: an open keeps one of them.
  const namesNow = await readdir(join(dataDir, 'blocks'));
  assert.ok(namesNow.some((name) => name.endsWith('.kept.blk') && namesNow.includes(name.replace('.kept', ''))));
  await (await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 })).close();
  for (const [traceId, spanIds] of await spansOnDisk(dataDir)) {
    assert.equal(new Set(spanIds).size, spanIds.length, `trace ${traceId}: no span twice after the first kill`);
  }
  const killed = [
    await runFixture(dataDir, 'compacting:2'),
    await runFixture(dataDir, 'compacted:2'),
    await runFixture(dataDir, 'renamed:2'),
    // A merge of kept blocks renamed in, its sources still there.
    await runFixture(dataDir, 'merge-renamed:1'),
  ];
  for (const run of killed) assert.equal(run.killed, true, run.lines.join('\n'));
  const last = await runFixture(dataDir, '');
  assert.equal(last.killed, false);
  assert.equal(last.lines.at(-1), 'done');

  const after = await spansOnDisk(dataDir);
  const names = await readdir(join(dataDir, 'blocks'));
  assert.ok(names.length > 0 && names.every((name) => name.endsWith('.kept.blk')), names.join(' '));
  for (const [traceId, spanIds] of after) {
    assert.equal(new Set(spanIds).size, spanIds.length, `trace ${traceId}: no span twice`);
    assert.equal(spanIds.length, before.get(traceId)!.length, `trace ${traceId} is whole`);
  }
  for (let n = 1; n <= TRACES; n++) if (isError(n)) assert.ok(after.has(traceIdOf(n)), `error trace ${n} is kept`);
  assert.ok(after.size < TRACES / 2, `${after.size} of ${TRACES} traces kept`);
});
