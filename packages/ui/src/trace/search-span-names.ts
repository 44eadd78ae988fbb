import type { SpanTree } from './build-span-tree.js';
import { findWords } from './search-spans.js';

/**
 * "Find in trace" over what a skeleton holds of every span (service,
 * operation, span id): the spans `searchSpans` would find from those fields
 * alone, so a subset of what the server finds in the whole spans, shown at
 * once while the server searches attributes (or when it gives up on a
 * million spans). Every word must be in one of those fields, ignoring case;
 * a `key=value` word names an attribute, which is not here, and matches
 * nothing. Names repeat across spans (a few hundred distinct among a
 * million spans): each is lowercased and tested once per query.
 */
export function searchSpanNames(tree: SpanTree, query: string): Set<string> {
  const words = findWords(query);
  const out = new Set<string>();
  if (words.length === 0 || words.some((w) => w.indexOf('=') > 0)) return out;
  // Per distinct name, a bit per word it contains.
  const bitsOf = new Map<string, number>();
  const bits = (name: string): number => {
    let known = bitsOf.get(name);
    if (known === undefined) {
      const lower = name.toLowerCase();
      known = 0;
      for (let w = 0; w < words.length; w++) if (lower.includes(words[w] as string)) known |= 1 << w;
      bitsOf.set(name, known);
    }
    return known;
  };
  // At most 30 words take part (a bit each); more is not a search anyone types.
  const all = words.length >= 31 ? -1 : (1 << words.length) - 1;
  for (const node of tree.nodes) {
    let found = bits(node.serviceName) | bits(node.span.operationName);
    if (found !== all) {
      for (let w = 0; w < words.length; w++) if (node.spanId.includes(words[w] as string)) found |= 1 << w;
    }
    if (found === all) out.add(node.spanId);
  }
  return out;
}
