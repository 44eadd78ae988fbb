import type { Span } from '@ariadne/protocol';
import type { TimeSlices } from '../../threads/time-slices.js';
import type { BlockReader } from './block-file.js';

/** Every span of a block, decoded page by page (a turn of the event loop between them when the slice is used), by trace. */
export async function spansByTrace(
  block: BlockReader,
  slices: TimeSlices,
  into: Map<string, Span[]> = new Map(),
): Promise<Map<string, Span[]>> {
  const { pages } = await block.meta();
  for (let page = 0; page < pages.length; page++) {
    for (const span of await block.readPage(page)) {
      const spans = into.get(span.traceId);
      if (spans === undefined) into.set(span.traceId, [span]);
      else spans.push(span);
    }
    const pause = slices.next();
    if (pause) await pause;
  }
  return into;
}
