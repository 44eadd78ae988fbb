import type { SpanTree } from './build-span-tree.js';
import { RowSet } from './row-set.js';
import { findWords } from './search-spans.js';
import { SPAN_ID_WIDTH } from './span-columns.js';

/**
 * "Find in trace" over what a skeleton holds of every span (service,
 * operation, span id): the spans `searchSpans` would find from those fields
 * alone, so a subset of what the server finds in the whole spans, shown at
 * once while the server searches attributes (or when it gives up on a
 * million spans). Every word must be in one of those fields, ignoring case;
 * a `key=value` word names an attribute, which is not here, and matches
 * nothing. Names repeat across spans (a few hundred distinct among a
 * million spans): each is lowercased and tested once per query, and read
 * per span by its number. Span ids are searched in the one string that
 * holds them all when there is one. Typed arrays throughout: a few
 * milliseconds for a million spans, no object per span.
 */
export function searchSpanNames(tree: SpanTree, query: string): RowSet {
  const words = findWords(query);
  if (words.length === 0 || words.some((w) => w.indexOf('=') > 0)) return RowSet.EMPTY;
  const { columns, rows } = tree;
  // At most 30 words take part (a bit each); more is not a search anyone types.
  const all = words.length >= 31 ? -1 : (1 << words.length) - 1;
  const bitsOf = (name: string): number => {
    const lower = name.toLowerCase();
    let bits = 0;
    for (let w = 0; w < words.length; w++) if (lower.includes(words[w] as string)) bits |= 1 << w;
    return bits;
  };
  const serviceBits = Int32Array.from(columns.processes, (p) => bitsOf(p.serviceName));
  const operationBits = Int32Array.from(columns.operationNames, bitsOf);
  const idBits = spanIdBits(tree, words);
  const { processOf, operationOf } = columns;
  const found = new Int32Array(tree.size);
  let count = 0;
  for (let r = 0; r < tree.size; r++) {
    const i = rows.span[r] as number;
    const bits =
      (serviceBits[processOf[i] as number] as number) |
      (operationBits[operationOf[i] as number] as number) |
      (idBits === undefined ? 0 : (idBits[i] as number));
    if (bits === all) found[count++] = r;
  }
  return new RowSet(found.slice(0, count));
}

/** Per span, a bit per word its id contains; undefined when no word can be in an id. */
function spanIdBits(tree: SpanTree, words: readonly string[]): Int32Array | undefined {
  const { columns } = tree;
  const text = columns.idText;
  let bits: Int32Array | undefined;
  for (let w = 0; w < words.length; w++) {
    const word = words[w] as string;
    if (text !== undefined && word.length > SPAN_ID_WIDTH) continue;
    bits ??= new Int32Array(columns.count);
    const bit = 1 << w;
    if (text !== undefined) {
      for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
        // A match across two ids is no match.
        if ((at % SPAN_ID_WIDTH) + word.length <= SPAN_ID_WIDTH) {
          const i = Math.floor(at / SPAN_ID_WIDTH);
          bits[i] = (bits[i] as number) | bit;
        }
      }
    } else {
      for (let i = 0; i < columns.count; i++) {
        if (columns.spanIdAt(i).includes(word)) bits[i] = (bits[i] as number) | bit;
      }
    }
  }
  return bits;
}
