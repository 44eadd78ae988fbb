import { StatusCode } from '@ariadne/protocol';
import type { ScanPacer } from '../../query/query-deadline.js';
import type { SpanMatcher } from '../query/span-matches-query.js';
import type { AttributePredicate, TraceQuery } from '../span-store.js';
import { type BlockMeta, type BlockReader, INLINE_TEXTS_VERSION } from './block-file.js';
import { ByteReader } from './byte-writer.js';
import { mayHoldNumber } from './numeric-values.js';
import { encodedAttribute, MIN_INLINE_TEXT } from './span-codec.js';
import type { TraceIndex } from './trace-index.js';

export interface BlockSearch {
  /** Called with each trace of the block that has a matching span, newest pages first (awaited when it returns a promise). */
  readonly onTrace: (traceId: string) => void | Promise<void>;
  /**
   * Asked before each page with the latest trace start in it: true stops the
   * search (no trace of this page or of older ones can make the results).
   */
  readonly canStop: (pageMaxTraceStart: bigint) => boolean;
  /** The search's pace: turns of the event loop between slices of work, and its deadline. */
  readonly pacer: ScanPacer;
}

/**
 * Finds the traces of a block with a span matching the query. Work grows only
 * as far as the query needs: block metadata (time, services, operation names)
 * skips whole blocks; pages are visited newest first and the caller stops the
 * search once its results are settled; page metadata skips pages; the search
 * columns answer service / operation / kind / status / duration / time; for
 * attribute predicates, only candidate traces are decoded, and of those only
 * the ones whose encoded rows contain the searched key and value.
 */
export async function searchBlock(
  block: BlockReader,
  query: TraceQuery,
  matches: SpanMatcher,
  search: BlockSearch,
): Promise<void> {
  const { startNanos, endNanos } = query.timeRange;
  if (block.maxStart < startNanos || block.minStart > endNanos) return;
  if (query.service !== undefined && !block.hasService(query.service)) return;
  if (query.operation !== undefined && !block.hasOperationName(query.operation)) return;
  const service = query.service === undefined ? -1 : block.services.indexOf(query.service);
  // From the block cache (read again after an eviction), and held until the search of this block ends.
  const meta = await block.meta();
  // The trace index only once a page has candidates.
  let index: TraceIndex | undefined;
  // Every text the query compares by dictionary index, looked up together.
  const texts = await block.stringIndexes([
    ...(query.operation === undefined ? [] : [query.operation]),
    ...(query.attributes ?? []).flatMap((predicate) => rowFilterTexts(meta, predicate)),
  ]);
  const name = query.operation === undefined ? -1 : (texts.get(query.operation) ?? -1);
  const kind = query.spanKind ?? -1;
  const { errorsOnly } = query;
  const minDuration = query.minDurationNanos === undefined ? -1 : Number(query.minDurationNanos);
  const maxDuration = query.maxDurationNanos === undefined ? Number.POSITIVE_INFINITY : Number(query.maxDurationNanos);
  const needsRows = (query.attributes?.length ?? 0) > 0;
  const needles: Buffer[][] = [];
  for (const predicate of query.attributes ?? []) {
    const needle = await rowNeedles(block, meta, texts, predicate);
    if (needle === null) return; // the block cannot hold a match
    if (needle !== undefined) needles.push(needle);
  }

  const pages = meta.pages;
  for (let page = pages.length - 1; page >= 0; page--) {
    const turn = search.pacer.step();
    if (turn !== undefined) await turn;
    const pageMeta = pages[page]!;
    if (search.canStop(BigInt(pageMeta.maxTraceStartNanos ?? meta.maxStartNanos))) return;
    if (BigInt(pageMeta.maxStartNanos) < startNanos || BigInt(pageMeta.minStartNanos) > endNanos) continue;
    if (service !== -1 && !pageMeta.services.includes(service)) continue;
    const columns = await block.readColumns(page);
    const from = Number(startNanos - columns.base);
    const to = Number(endNanos - columns.base);
    const candidates = new Set<number>();
    for (let i = 0; i < columns.count; i++) {
      const start = columns.start[i]!;
      if (start < from || start > to) continue;
      if (service !== -1 && columns.service[i] !== service) continue;
      if (name !== -1 && columns.name[i] !== name) continue;
      if (kind !== -1 && columns.kind[i] !== kind) continue;
      if (errorsOnly && columns.status[i] !== StatusCode.Error) continue;
      const duration = columns.duration[i]!;
      if (duration < minDuration || duration > maxDuration) continue;
      candidates.add(columns.trace[i]!);
    }
    if (candidates.size === 0) continue;
    index ??= await block.traceIndex();
    if (!needsRows) {
      for (const ordinal of candidates) {
        const pending = search.onTrace(index.traceId(ordinal));
        if (pending !== undefined) await pending;
      }
      continue;
    }
    const rows = await block.pageRows(page);
    const hits = needles.map((alternatives) => occurrences(rows, alternatives));
    for (const ordinal of candidates) {
      const turn = search.pacer.step();
      if (turn !== undefined) await turn;
      const offset = index.offsetOf(ordinal);
      const reader = new ByteReader(rows);
      reader.offset = offset;
      const end = reader.varUint() + reader.offset;
      if (!hits.every((positions) => anyWithin(positions, offset, end))) continue;
      const spans = await block.decodeTrace(page, rows, ordinal);
      if (spans.some(matches)) await search.onTrace(index.traceId(ordinal));
    }
  }
}

const NOT_DICTIONARY_TEXT = new Set(['', 'true', 'false', 'NaN', 'Infinity', '-Infinity']);
const INT64_TEXT = /^-?(0|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * For an `=` predicate, the byte patterns (key index, value tag, value) one of
 * which every encoded chunk holding a span that satisfies it must contain: `=`
 * compares text, so "418" is the string "418", the int 418 or the double 418.
 * `null` when the block cannot hold a match; undefined when no such pattern
 * exists (other operators, booleans, values in bytes or lists).
 */
async function rowNeedles(
  block: BlockReader,
  meta: BlockMeta,
  texts: ReadonlyMap<string, number>,
  predicate: AttributePredicate,
): Promise<Buffer[] | null | undefined> {
  const value = predicate.value;
  if (value === undefined || rowFilterTexts(meta, predicate).length === 0) return undefined;
  const key = texts.get(predicate.key) ?? (await block.stringIndex(predicate.key));
  if (key === -1) return null;
  const needles: Buffer[] = [];
  const text = texts.get(value) ?? (await block.stringIndex(value));
  if (text !== -1) needles.push(encodedAttribute(key, { type: 'string', index: text }));
  // A long value may also be written in place, where a span met it first: the dictionary cannot rule it out.
  if (meta.version >= INLINE_TEXTS_VERSION && value.length >= MIN_INLINE_TEXT) {
    needles.push(encodedAttribute(key, { type: 'text', value }));
  }
  const { numericValues } = meta;
  if (
    INT64_TEXT.test(value) &&
    BigInt(value) >= INT64_MIN &&
    BigInt(value) <= INT64_MAX &&
    mayHoldNumber(numericValues, key, Number(value))
  ) {
    needles.push(encodedAttribute(key, { type: 'int', value: BigInt(value) }));
  }
  // A double's text is String(number): only the number that reads back as this very text has it (and -0 reads "0").
  const number = Number(value);
  if (String(number) === value && mayHoldNumber(numericValues, key, number)) {
    for (const double of number === 0 ? [0, -0] : [number]) {
      needles.push(encodedAttribute(key, { type: 'double', value: double }));
    }
  }
  // Resource attributes live in the block's tables, not in the rows: rows can only rule out span and event attributes.
  if (predicate.scope !== 'span') {
    const inResources = await block.hasResourceAttribute(predicate.key, value);
    if (inResources) return undefined;
    if (predicate.scope === 'resource') return null;
  }
  return needles.length === 0 ? null : needles;
}

/** The texts the row filter of a predicate looks up in the block's dictionary (its key and value); none without one. */
function rowFilterTexts(meta: BlockMeta, predicate: AttributePredicate): string[] {
  const { operator, key, value } = predicate;
  if (operator !== '=' || value === undefined || !meta.textValuesOnly || NOT_DICTIONARY_TEXT.has(value)) return [];
  return [key, value];
}

/** Where any of the needles occurs in the rows, ascending. */
function occurrences(rows: Buffer, needles: readonly Buffer[]): number[] {
  const positions: number[] = [];
  for (const needle of needles) {
    for (let at = rows.indexOf(needle); at !== -1; at = rows.indexOf(needle, at + 1)) positions.push(at);
  }
  if (needles.length > 1) positions.sort((a, b) => a - b);
  return positions;
}

/** Is some position in [start, end)? `positions` ascending. */
function anyWithin(positions: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positions[middle]! < start) low = middle + 1;
    else high = middle;
  }
  return low < positions.length && positions[low]! < end;
}
