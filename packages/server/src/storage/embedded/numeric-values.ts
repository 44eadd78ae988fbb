/** Past this many distinct numbers under one key, a block no longer lists them. */
const MAX_LISTED = 32;

/**
 * The distinct numbers (int and double attribute values) a head saw under each
 * attribute key, while they are few: status codes, ports, retry counts. A
 * block lists them in its meta, so an `=` search for a number no span of the
 * block has under that key skips the block without reading its pages (a
 * search for a status code nobody answered would otherwise read them all).
 * Int and double values share one set: `=` compares their text, and 418 and
 * 418.0 both read "418".
 */
export class NumericValues {
  /** By key index (the head's dictionary): the numbers, or null once they cannot all be listed. */
  readonly #byKey: (Set<number> | null | undefined)[] = [];

  add(key: number, value: number | bigint): void {
    const set = this.#byKey[key];
    if (set === null) return;
    const number = Number(value);
    // JSON keeps neither NaN nor the infinities, and a number past 2^53 is not its int's text.
    const listable = Number.isFinite(number) && (typeof value === 'number' || Number.isSafeInteger(number));
    if (!listable) {
      this.#byKey[key] = null;
    } else if (set === undefined) {
      this.#byKey[key] = new Set([number]);
    } else if (!set.has(number)) {
      if (set.size >= MAX_LISTED) this.#byKey[key] = null;
      else set.add(number);
    }
  }

  /**
   * For a block's meta: key index to its numbers. A key with too many numbers
   * is listed as null; a key not listed had no numeric value at all.
   */
  toMeta(): Record<string, number[] | null> {
    const meta: Record<string, number[] | null> = {};
    this.#byKey.forEach((set, key) => {
      if (set !== undefined) meta[key] = set === null ? null : [...set];
    });
    return meta;
  }
}

/**
 * Could a block whose meta lists `numericValues` (undefined: a block written
 * before they were listed) hold the number `value` under the key `key`?
 */
export function mayHoldNumber(
  numericValues: Readonly<Record<string, number[] | null>> | undefined,
  key: number,
  value: number,
): boolean {
  if (numericValues === undefined) return true;
  const listed = numericValues[key];
  if (listed === null) return true;
  return listed?.includes(value) === true;
}
