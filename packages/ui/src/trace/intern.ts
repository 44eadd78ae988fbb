/** The index of `value` in `list`, appended (and indexed in `index`) when it is not there yet. */
export function intern<T>(list: T[], index: Map<T, number>, value: T): number {
  let at = index.get(value);
  if (at === undefined) {
    at = list.length;
    list.push(value);
    index.set(value, at);
  }
  return at;
}
