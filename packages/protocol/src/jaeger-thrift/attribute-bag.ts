import type { AnyValue, KeyValue } from '../model/any-value.js';

/** Below this many keys a linear scan beats building a Map (most spans carry a handful of tags). */
const INDEX_THRESHOLD = 12;

/**
 * An ordered attribute map with pdata's semantics, which the translators this
 * package follows rely on: putting an existing key replaces its value in place,
 * and special keys can be taken out after all tags went in.
 */
export class AttributeBag {
  private readonly entries: (KeyValue | undefined)[] = [];
  private index: Map<string, number> | undefined;
  private removed = 0;

  put(key: string, value: AnyValue): void {
    this.putKeyValue({ key, value });
  }

  /** Puts an existing pair; it is kept as is (not copied) when its key is new. */
  putKeyValue(kv: KeyValue): void {
    const at = this.indexOf(kv.key);
    if (at >= 0) {
      this.entries[at] = kv;
      return;
    }
    this.index?.set(kv.key, this.entries.length);
    this.entries.push(kv);
    if (this.index === undefined && this.entries.length > INDEX_THRESHOLD) {
      this.index = new Map();
      this.entries.forEach((entry, i) => {
        if (entry !== undefined) this.index?.set(entry.key, i);
      });
    }
  }

  putAll(attributes: readonly KeyValue[]): void {
    for (const kv of attributes) this.putKeyValue(kv);
  }

  get(key: string): AnyValue | undefined {
    const at = this.indexOf(key);
    return at < 0 ? undefined : this.entries[at]?.value;
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /** Removes `key` and returns its value, or `undefined` when it was absent. */
  take(key: string): AnyValue | undefined {
    const at = this.indexOf(key);
    if (at < 0) return undefined;
    const value = this.entries[at]?.value;
    this.entries[at] = undefined;
    this.index?.delete(key);
    this.removed++;
    return value;
  }

  toList(): KeyValue[] {
    if (this.removed === 0) return this.entries as KeyValue[];
    return this.entries.filter((kv): kv is KeyValue => kv !== undefined);
  }

  private indexOf(key: string): number {
    if (this.index !== undefined) return this.index.get(key) ?? -1;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) if (entries[i]?.key === key) return i;
    return -1;
  }
}

/** pdata's `Value.Str()`: the string of a string value, else empty. */
export function strOf(value: AnyValue | undefined): string {
  return value?.type === 'string' ? value.value : '';
}
