import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { lockDataDir } from './data-dir-lock.js';
import { openEmbeddedStore } from './embedded-store.js';

const dirs: string[] = [];
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-lock-'));
  dirs.push(dir);
  return dir;
};
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

test('a data folder opens once per process; closing frees it', async () => {
  const dataDir = await freshDir();
  const first = await openEmbeddedStore({ dataDir });
  await assert.rejects(
    openEmbeddedStore({ dataDir }),
    (error) => isAriadneError(error, 'StorageFailure') && /already open/.test(error.message),
  );
  await first.close();
  // (A clean close leaves the write-time dedupe's window for the next open.)
  assert.deepEqual((await readdir(dataDir)).sort(), ['blocks', 'recent-spans', 'wal'], 'the lock file goes on close');
  const second = await openEmbeddedStore({ dataDir });
  await second.close();
});

test('a second process gets a clear error; the lock of a killed process is taken over', async () => {
  const dataDir = await freshDir();
  const lockModule = new URL('./data-dir-lock.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--conditions=ariadne-source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { lockDataDir } = await import(${JSON.stringify(lockModule)});
       await lockDataDir(${JSON.stringify(dataDir)});
       console.log('locked');
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });
    await assert.rejects(
      openEmbeddedStore({ dataDir }),
      (error) => isAriadneError(error, 'StorageFailure') && error.message.includes(`in use by process ${child.pid}`),
    );
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const lock = await lockDataDir(dataDir);
  await lock.release();
});
