import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AriadneError } from '@ariadne/protocol';

const LOCK_FILE = 'LOCK';
/** Folders this process holds: a second open in the same process is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Makes sure one store at a time uses a data folder: two writers would
 * interleave WAL segments and delete each other's blocks. The lock is a file
 * holding the owner's process id, so a lock left by a killed process (its pid
 * no longer runs) is taken over instead of blocking the restart after a crash.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(dir)) {
    throw new AriadneError('StorageFailure', `the data folder ${dir} is already open in this process`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(dir, path, error);
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
        throw new AriadneError(
          'StorageFailure',
          `the data folder ${dir} is in use by process ${owner} (lock file ${path}); ` +
            'stop that process, or delete the lock file if no Ariadne runs there',
        );
      }
      await unlink(path).catch(() => {}); // stale: its owner is gone
    }
  }
  heldHere.add(dir);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      await unlink(path).catch(() => {});
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockError(dir: string, path: string, cause: unknown): AriadneError {
  return new AriadneError('StorageFailure', `cannot lock the data folder ${dir} (${path})`, { cause });
}
