import { ByteReader } from './byte-writer.js';

/**
 * The few strings of a block's dictionary that searches and summaries ask
 * for without decoding spans: the root service and root span name of every
 * trace (the summary columns hold them as dictionary indexes) and the index
 * of each operation name and service (a search compares the name column
 * with it). A few hundred entries where the dictionary may hold a million
 * strings (random attribute values): kept in the block cache long after the
 * dictionary itself was evicted.
 */
export interface DictionaryNames {
  readonly byIndex: ReadonlyMap<number, string>;
  /** -1 for a text the dictionary does not hold. */
  readonly byText: ReadonlyMap<string, number>;
}

/**
 * Looks the strings up in the dictionary's bytes (the tables' first part:
 * `varuint n, n × (varuint byteLength, UTF-8)`) without making a string of
 * every entry: only entries of a wanted index, or of the byte length of a
 * wanted text, are decoded.
 */
export function namesFromTableBytes(
  bytes: Buffer,
  indexes: ReadonlySet<number>,
  texts: ReadonlySet<string>,
): DictionaryNames {
  const lengths = new Set<number>();
  for (const text of texts) lengths.add(Buffer.byteLength(text));
  const byIndex = new Map<number, string>();
  const byText = new Map<string, number>();
  const reader = new ByteReader(bytes);
  const count = reader.varUint();
  for (let i = 0; i < count; i++) {
    const length = reader.varUint();
    const start = reader.offset;
    reader.offset = start + length;
    if (reader.offset > bytes.length) throw new RangeError('dictionary shorter than its string count');
    if (!indexes.has(i) && !lengths.has(length)) continue;
    const text = bytes.toString('utf8', start, start + length);
    if (indexes.has(i)) byIndex.set(i, text);
    if (texts.has(text) && !byText.has(text)) byText.set(text, i);
  }
  return withMisses(byIndex, byText, texts);
}

/** The same from the dictionary's strings, when they are loaded already. */
export function namesFromStrings(
  strings: readonly string[],
  indexes: ReadonlySet<number>,
  texts: ReadonlySet<string>,
): DictionaryNames {
  const byIndex = new Map<number, string>();
  for (const index of indexes) {
    const text = strings[index];
    if (text !== undefined) byIndex.set(index, text);
  }
  const byText = new Map<string, number>();
  for (let i = 0; i < strings.length; i++) {
    const text = strings[i]!;
    if (texts.has(text) && !byText.has(text)) byText.set(text, i);
  }
  return withMisses(byIndex, byText, texts);
}

function withMisses(byIndex: Map<number, string>, byText: Map<string, number>, texts: ReadonlySet<string>) {
  for (const text of texts) if (!byText.has(text)) byText.set(text, -1);
  return { byIndex, byText };
}

/** About the memory the names hold, for the block cache. */
export function namesMemoryBytes(names: DictionaryNames): number {
  let bytes = 256;
  for (const text of names.byIndex.values()) bytes += 64 + text.length;
  for (const text of names.byText.keys()) bytes += 64 + text.length;
  return bytes;
}
