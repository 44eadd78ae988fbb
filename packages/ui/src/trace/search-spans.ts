import type { JaegerKeyValue } from '@ariadne/protocol';
import type { SpanTree } from './build-span-tree.js';
import { tagValueText } from './span-tags.js';

/**
 * Span ids whose service, operation, id, attribute (key or value), resource
 * attribute or event field contains every word of the query, ignoring case
 * (Jaeger's "find in trace"). `key=value` words must match one attribute
 * exactly. Empty query: no matches.
 */
export function searchSpans(tree: SpanTree, query: string): Set<string> {
  const words = findWords(query);
  const out = new Set<string>();
  if (words.length === 0) return out;
  for (const node of tree.nodes) {
    const { span } = node;
    const texts = [node.serviceName.toLowerCase(), span.operationName.toLowerCase(), span.spanID];
    const pairs: [string, string][] = [];
    const addTags = (tags: readonly JaegerKeyValue[]) => {
      for (const tag of tags) pairs.push([tag.key.toLowerCase(), tagValueText(tag).toLowerCase()]);
    };
    addTags(span.tags);
    if (node.process !== undefined) addTags(node.process.tags);
    for (const log of span.logs) addTags(log.fields);
    const matches = (word: string) => {
      const eq = word.indexOf('=');
      if (eq > 0) {
        const key = word.slice(0, eq);
        const value = word.slice(eq + 1);
        return pairs.some(([k, v]) => k === key && v === value);
      }
      return texts.some((t) => t.includes(word)) || pairs.some(([k, v]) => k.includes(word) || v.includes(word));
    };
    if (words.every(matches)) out.add(node.spanId);
  }
  return out;
}

/** The words of a find-in-trace query, lowercased. */
export function findWords(query: string): string[] {
  return query
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
}
