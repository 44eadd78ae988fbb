/**
 * Block file names. A cut writes one block per time partition its spans fall
 * in, all named after the last WAL segment the cut covers:
 * `<segment>-<part>-<parts>.blk` (a 16-digit segment, then part i of n).
 * Older single-block cuts are `<segment>.blk` (part 0 of 1). A block of the
 * kept tier (what retention kept of one past the short window) is named after
 * the block it replaced, `<segment>-<part>-<parts>.kept.blk`: while both
 * exist (a crash between the rename and the delete), the kept one wins.
 */
const BLOCK = /^(\d{16})(?:-(\d+)-(\d+)|-m(\d+))?(\.kept)?\.blk$/;

export interface BlockName {
  readonly segment: number;
  readonly part: number;
  readonly parts: number;
  /** A block of the kept tier. */
  readonly kept: boolean;
  /** A merge of kept-tier blocks (`<segment>-m<n>.kept.blk`, its metadata names the blocks it replaces). */
  readonly merged: boolean;
}

export function blockFileName(segment: number, part: number, parts: number): string {
  return `${segment.toString().padStart(16, '0')}-${part}-${parts}.blk`;
}

export function parseBlockName(name: string): BlockName | undefined {
  const match = BLOCK.exec(name);
  if (match === null) return undefined;
  return {
    segment: Number(match[1]),
    part: match[2] === undefined ? 0 : Number(match[2]),
    parts: match[3] === undefined ? 1 : Number(match[3]),
    kept: match[5] !== undefined,
    merged: match[4] !== undefined,
  };
}

/** The name of the kept-tier block that replaces a block of the full tier. */
export function keptBlockFileName(name: string): string {
  return name.replace(/(\.kept)?\.blk$/, '.kept.blk');
}

/** The name of a merge of kept-tier blocks: after the newest segment among them, numbered to be new. */
export function mergedBlockFileName(segment: number, n: number): string {
  return `${segment.toString().padStart(16, '0')}-m${n}.kept.blk`;
}
