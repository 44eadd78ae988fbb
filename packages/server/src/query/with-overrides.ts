/**
 * The reader with some of its methods replaced and every other property and
 * capability as it was: a read-time step (dedupe, unique span ids) wraps a
 * store whatever optional interfaces it has. The reader's own methods are
 * called on the reader itself, since a class with private fields refuses to
 * run them on a proxy.
 */
export function withOverrides<Reader extends object>(
  reader: Reader,
  overrides: ReadonlyMap<PropertyKey, unknown>,
): Reader {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(reader, {
    get(target, key) {
      if (overrides.has(key)) return overrides.get(key);
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(key);
      if (method === undefined) {
        method = value.bind(target);
        bound.set(key, method);
      }
      return method;
    },
  });
}
