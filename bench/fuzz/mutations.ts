import type { SeededRandom } from '../workload/random.js';

/**
 * How a fuzz case is made from valid payloads: the hostile shapes a decoder
 * meets on an open port. Binary mutations work on any wire format; the JSON
 * ones keep the text parseable more often, so that the decoder's field checks
 * are reached rather than only the parser's.
 */
export type InputFormat = 'protobuf' | 'thrift-binary' | 'thrift-compact' | 'json';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Length prefixes and sizes that claim far more than any buffer holds. */
const ABSURD_LENGTHS: Record<Exclude<InputFormat, 'json'>, readonly number[][]> = {
  // varints: 2^32-1, 2^31, 2^28, and a 10-byte varint
  protobuf: [
    [0xff, 0xff, 0xff, 0xff, 0x0f],
    [0x80, 0x80, 0x80, 0x80, 0x08],
    [0x80, 0x80, 0x80, 0x80, 0x01],
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  ],
  // big-endian i32 sizes: 2^31-1, -1, 2^24
  'thrift-binary': [
    [0x7f, 0xff, 0xff, 0xff],
    [0xff, 0xff, 0xff, 0xff],
    [0x01, 0x00, 0x00, 0x00],
  ],
  // compact: list header "many structs" followed by a huge varint size, and huge varints
  'thrift-compact': [
    [0xfc, 0xff, 0xff, 0xff, 0xff, 0x07],
    [0xff, 0xff, 0xff, 0xff, 0x0f],
    [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  ],
};

/** Byte sequences that are not UTF-8: lone continuation, overlong, surrogate, truncated, 0xff. */
const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x08, 0x0c, 0x0f, 0x00];

function splice(input: Uint8Array, at: number, removeAtMost: number, insert: ArrayLike<number>): Uint8Array {
  const remove = Math.min(removeAtMost, input.length - at);
  const out = new Uint8Array(input.length - remove + insert.length);
  out.set(input.subarray(0, at));
  out.set(insert, at);
  out.set(input.subarray(at + remove), at + insert.length);
  return out;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value >>>= 7;
    size++;
  }
  return size;
}

function randomBytes(random: SeededRandom, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = random.int(0, 255);
  return out;
}

/** A message nested `depth` levels deep, as the format spells nesting. */
export function deepNesting(format: InputFormat, depth: number, random: SeededRandom): Uint8Array {
  switch (format) {
    case 'protobuf': {
      // Length-delimited fields inside each other, innermost first, with the field numbers
      // that mean "nested message" in OTLP (AnyValue.array_value / kvlist_value, KeyValue.value...).
      // Sizes first (innermost out), then one forward write: building by prepending would be quadratic.
      const bodyLengths = new Array<number>(depth);
      let length = 0;
      for (let level = depth - 1; level >= 0; level--) {
        bodyLengths[level] = length;
        length += 1 + varintSize(length);
      }
      const out = new Uint8Array(length);
      let pos = 0;
      for (let level = 0; level < depth; level++) {
        out[pos++] = (random.pick([1, 2, 5, 6]) << 3) | 2;
        let v = bodyLengths[level]!;
        while (v >= 0x80) {
          out[pos++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        out[pos++] = v;
      }
      return out;
    }
    case 'thrift-binary': {
      // struct field 1 of type struct, over and over, never closed
      const out = new Uint8Array(depth * 3);
      for (let i = 0; i < depth; i++) out.set([0x0c, 0x00, random.int(1, 2)], i * 3);
      return out;
    }
    case 'thrift-compact':
      // short-form field header: delta 1, type struct (12)
      return new Uint8Array(depth).fill(0x1c);
    case 'json': {
      const open = random.pick(['[', '{"a":', '{"resourceSpans":[', '{"value":{"arrayValue":{"values":[']);
      return encoder.encode(open.repeat(depth));
    }
  }
}

/** JSON values that break assumptions: wrong types, extremes, prototype keys. */
const HOSTILE_JSON_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  1.5,
  '',
  '0',
  'ffffffffffffffffffffffffffffffff',
  '00000000000000000000000000000000',
  '-9223372036854775809',
  '18446744073709551616',
  'not hex!',
  '\u0000',
  '\ud800',
  'x'.repeat(10_000),
  [],
  [null],
  {},
  { __proto__: null, constructor: 1 },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { stringValue: 1 },
  { intValue: 'abc' },
  { arrayValue: { values: 'x' } },
  { kvlistValue: { values: [{ key: 1 }] } },
];

/** Replaces one random value inside parsed JSON (object member or array element) with a hostile one. */
function mutateJsonTree(text: string, random: SeededRandom): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Walk down a random path, a few steps at most, then replace what is there.
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  let node: unknown = root;
  const steps = random.int(1, 12);
  for (let i = 0; i < steps && node !== null && typeof node === 'object'; i++) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, j) => j) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown>;
    key = random.pick(keys);
    node = (node as Record<string | number, unknown>)[key];
  }
  if (parent === undefined || key === undefined) return JSON.stringify(random.pick(HOSTILE_JSON_VALUES));
  const action = random.int(0, 2);
  if (action === 0) (parent as Record<string | number, unknown>)[key] = random.pick(HOSTILE_JSON_VALUES);
  else if (action === 1) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else (parent as Record<string | number, unknown>)[key] = [node, node];
  return JSON.stringify(root);
}

const JSON_SNIPPETS = [
  'null',
  '{}',
  '[]',
  '"',
  ',',
  ']',
  '}',
  '1e999',
  '-0',
  '"\\ud800"',
  '"\\u0000"',
  '\\',
  '9'.repeat(400),
];

/**
 * One fuzz input derived from `valid` (a well-formed payload of the format).
 * Returns the strategy's name too, so failures say how their input was made.
 */
export function mutate(
  valid: Uint8Array,
  format: InputFormat,
  random: SeededRandom,
): { readonly strategy: string; readonly input: Uint8Array } {
  const strategy = random.int(0, format === 'json' ? 10 : 8);
  const at = () => random.int(0, valid.length);
  switch (strategy) {
    case 0:
      return { strategy: 'random bytes', input: randomBytes(random, random.int(0, 512)) };
    case 1:
      return { strategy: 'truncated', input: valid.slice(0, random.int(0, Math.max(0, valid.length - 1))) };
    case 2: {
      const out = valid.slice();
      const flips = random.int(1, 8);
      for (let i = 0; i < flips && out.length > 0; i++) out[random.int(0, out.length - 1)]! ^= 1 << random.int(0, 7);
      return { strategy: 'bit flips', input: out };
    }
    case 3: {
      const out = valid.slice();
      const count = random.int(1, 4);
      for (let i = 0; i < count && out.length > 0; i++)
        out[random.int(0, out.length - 1)] = random.pick(INTERESTING_BYTES);
      return { strategy: 'interesting bytes', input: out };
    }
    case 4: {
      // Copy, delete or duplicate a chunk: fields appear twice, out of order or cut in half.
      const from = at();
      const length = random.int(0, Math.min(256, valid.length - from));
      const chunk = valid.slice(from, from + length);
      const input = random.chance(0.5) ? splice(valid, at(), 0, chunk) : splice(valid, from, length, []);
      return { strategy: 'chunk splice', input };
    }
    case 5: {
      if (format === 'json')
        return { strategy: 'deep nesting', input: deepNesting(format, random.int(1_000, 20_000), random) };
      const lengths = ABSURD_LENGTHS[format];
      const position = at();
      const input = random.chance(0.5)
        ? splice(valid, position, Math.min(random.pick(lengths).length, valid.length - position), random.pick(lengths))
        : splice(valid, position, 0, random.pick(lengths));
      return { strategy: 'absurd length', input };
    }
    case 6: {
      // Nesting either alone or planted inside a valid payload.
      const nested = deepNesting(format, random.int(100, 20_000), random);
      return { strategy: 'deep nesting', input: random.chance(0.5) ? nested : splice(valid, at(), 0, nested) };
    }
    case 7: {
      const out = valid.slice();
      const count = random.int(1, 3);
      let input: Uint8Array = out;
      for (let i = 0; i < count; i++) {
        const bad = random.pick(INVALID_UTF8);
        const position = random.int(0, input.length);
        input = random.chance(0.5)
          ? splice(input, position, Math.min(bad.length, input.length - position), bad)
          : splice(input, position, 0, bad);
      }
      return { strategy: 'invalid utf-8', input };
    }
    case 8: {
      // Two mutations in a row find what one alone does not (a fixed length followed by a flip).
      const first = mutate(valid, format, random);
      const second = mutate(first.input.length > 0 ? first.input : valid, format, random);
      return { strategy: `${first.strategy} + ${second.strategy}`, input: second.input };
    }
    case 9: {
      const text = mutateJsonTree(decoder.decode(valid), random);
      return { strategy: 'json value swap', input: encoder.encode(text ?? '') };
    }
    default: {
      const snippet = encoder.encode(random.pick(JSON_SNIPPETS));
      return { strategy: 'json snippet', input: splice(valid, at(), random.int(0, 2), snippet) };
    }
  }
}
