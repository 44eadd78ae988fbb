import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '../embedded/fsync-directory.js';

/**
 * How far replay got, kept in the spool folder as `cursor` (replaced
 * atomically: written aside, synced, renamed, folder synced):
 * - `replayed`: every record before this position is in the store;
 * - `attempted`: replay sent the records before this position to the store
 *   and may have died before hearing back, so after a restart they are
 *   written only where the store lacks them (see SpoolRecord.maybeStored).
 * A position is a segment number and a record index within it.
 */
export interface SpoolPosition {
  readonly segment: number;
  readonly record: number;
}

export interface SpoolCursor {
  readonly replayed: SpoolPosition;
  readonly attempted: SpoolPosition;
}

const FILE = 'cursor';
export const START: SpoolPosition = { segment: 0, record: 0 };

export async function readSpoolCursor(dir: string): Promise<SpoolCursor> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { replayed: START, attempted: START };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<SpoolCursor>;
  const replayed = position(parsed.replayed);
  return { replayed, attempted: position(parsed.attempted, replayed) };
}

export async function writeSpoolCursor(dir: string, cursor: SpoolCursor): Promise<void> {
  const aside = join(dir, `${FILE}.tmp`);
  const handle = await open(aside, 'w');
  try {
    await handle.writeFile(JSON.stringify(cursor));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(aside, join(dir, FILE));
  await fsyncDirectory(dir);
}

export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment - b.segment || a.record - b.record;
}

function position(value: unknown, fallback: SpoolPosition = START): SpoolPosition {
  const candidate = value as Partial<SpoolPosition> | undefined;
  if (Number.isSafeInteger(candidate?.segment) && Number.isSafeInteger(candidate?.record)) {
    return { segment: candidate!.segment!, record: candidate!.record! };
  }
  return fallback;
}
