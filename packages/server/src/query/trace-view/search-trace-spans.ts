import { type JaegerKeyValue, type Span, toJaegerTrace } from '@ariadne/protocol';

/** Spans translated per slice, so a 100,000-span trace is never held twice over in Jaeger's shape. */
const SLICE = 2_000;

/**
 * "Find in trace" on the server, for traces the UI holds only as a skeleton:
 * the ids of the spans whose service, operation, id, tag (key or value),
 * process tag or log field contains every word of the query, ignoring case;
 * a `key=value` word must equal one tag. The same rule as the UI's
 * `searchSpans` (packages/ui/src/trace/search-spans.ts), on the same Jaeger
 * tags the span's details show, so what is found is what can be seen.
 * Ids come in store order, each once.
 */
export function searchTraceSpans(spans: readonly Span[], query: string): string[] {
  const words = query
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const found = new Set<string>();
  if (words.length === 0) return [];
  for (let from = 0; from < spans.length; from += SLICE) {
    const trace = toJaegerTrace(spans.slice(from, from + SLICE));
    for (const span of trace.spans) {
      const process = trace.processes[span.processID];
      const texts = [
        (process?.serviceName ?? 'unknown service').toLowerCase(),
        span.operationName.toLowerCase(),
        span.spanID,
      ];
      const pairs: [string, string][] = [];
      const addTags = (tags: readonly JaegerKeyValue[]) => {
        for (const tag of tags) pairs.push([tag.key.toLowerCase(), String(tag.value).toLowerCase()]);
      };
      addTags(span.tags);
      if (process !== undefined) addTags(process.tags);
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
      if (words.every(matches)) found.add(span.spanID);
    }
  }
  return [...found];
}
