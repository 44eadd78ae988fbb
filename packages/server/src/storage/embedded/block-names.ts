/**
 * Block file names. A cut writes one block per time partition its spans fall
 * in, all named after the last WAL segment the cut covers:
 * `<segment>-<part>-<parts>.blk` (a 16-digit segment, then part i of n).
 * Older single-block cuts are `<segment>.blk` (part 0 of 1).
 */
const BLOCK = /^(\d{16})(?:-(\d+)-(\d+))?\.blk$/;

export interface BlockName {
  readonly segment: number;
  readonly part: number;
  readonly parts: number;
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
  };
}
