import type { TraceRetention } from '../../storage/span-store.js';
import type { TraceSkeleton } from './trace-skeleton.js';

/**
 * A trace's skeleton (`TraceSkeleton`) as bytes the browser reads without
 * parsing: the numbers as typed arrays it views in place, and the span ids
 * as 16 ASCII characters each. For 1,000,000 spans the JSON skeleton is
 * about 46 MB that the browser must parse into a million-element list per
 * column (most of a second, and a large short-lived heap); this is about 33
 * MB read in a few milliseconds.
 *
 * Layout (little-endian):
 * - 4 bytes: the magic `ATC1`;
 * - u32: the byte length of the header, JSON (UTF-8): `traceID`,
 *   `startTime`, `strings`, `missingParents`, `spanCount`, and `columns`,
 *   the list of `{name, type, length}` that follow in that order;
 * - each column, starting at a multiple of 8 bytes from the start:
 *   `length` values of `type` (`u8`, `u16`, `u32`, `i32`, `f64`).
 *
 * Columns, one value per span unless said: `spanIds` (u8, 16 per span:
 * the id's ASCII characters; an id of another length or not ASCII makes the
 * encoder refuse), `parents` (i32), `starts` and `durations` (u32 when
 * every value fits, else f64), `services` and `operations` (u16 when there
 * are at most 65,536 strings, else u32), `duplicates`, `errors` (i32, any
 * count), `events` (f64, three per mark). Each means what the JSON
 * skeleton's field of the same name means.
 */
export const TRACE_COLUMNS_MAGIC = 'ATC1';
export const TRACE_COLUMNS_CONTENT_TYPE = 'application/vnd.ariadne.trace-columns';
/** Characters of one span id in `spanIds`. */
export const SPAN_ID_WIDTH = 16;

type ColumnType = 'u8' | 'u16' | 'u32' | 'i32' | 'f64';
const BYTES: Record<ColumnType, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f64: 8 };

/** The skeleton as bytes; undefined when a span id is not 16 ASCII characters (the JSON skeleton serves those). */
export function encodeTraceColumns(skeleton: TraceSkeleton, retention?: TraceRetention): Uint8Array | undefined {
  const columns = skeletonColumns(skeleton);
  return columns === undefined ? undefined : layOutTraceColumns(columns, retention);
}

/** The skeleton with its span ids as characters; undefined when one is not 16 ASCII characters. */
export function skeletonColumns(skeleton: TraceSkeleton): SkeletonColumns | undefined {
  const n = skeleton.spanIds.length;
  const ids = new Uint8Array(n * SPAN_ID_WIDTH);
  for (let i = 0; i < n; i++) {
    const id = skeleton.spanIds[i] as string;
    if (id.length !== SPAN_ID_WIDTH) return undefined;
    const at = i * SPAN_ID_WIDTH;
    for (let c = 0; c < SPAN_ID_WIDTH; c++) {
      const code = id.charCodeAt(c);
      if (code > 0x7f) return undefined;
      ids[at + c] = code;
    }
  }
  return { ...skeleton, spanIds: ids };
}

/** A skeleton's columns as numbers, the span ids as their characters (`SPAN_ID_WIDTH` per span). */
export interface SkeletonColumns extends Omit<TraceSkeleton, 'spanIds' | keyof NumberColumns>, NumberColumns {
  readonly spanIds: Uint8Array;
}

type NumberColumns = {
  readonly [name in
    | 'parents'
    | 'starts'
    | 'durations'
    | 'services'
    | 'operations'
    | 'duplicates'
    | 'errors'
    | 'events']: ArrayLike<number>;
};

/** The bytes of the columns (the layout above), whatever arrays hold their numbers. */
export function layOutTraceColumns(skeleton: SkeletonColumns, retention?: TraceRetention): Uint8Array {
  const n = skeleton.spanIds.length / SPAN_ID_WIDTH;
  const wholeMicros = (values: ArrayLike<number>): ColumnType => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) return 'f64';
    }
    return 'u32';
  };
  const stringIndex: ColumnType = skeleton.strings.length <= 0x10000 ? 'u16' : 'u32';
  const columns: [string, ColumnType, ArrayLike<number>][] = [
    ['spanIds', 'u8', skeleton.spanIds],
    ['parents', 'i32', skeleton.parents],
    ['starts', wholeMicros(skeleton.starts), skeleton.starts],
    ['durations', wholeMicros(skeleton.durations), skeleton.durations],
    ['services', stringIndex, skeleton.services],
    ['operations', stringIndex, skeleton.operations],
    ['duplicates', 'i32', skeleton.duplicates],
    ['errors', 'i32', skeleton.errors],
    ['events', 'f64', skeleton.events],
  ];
  const header = new TextEncoder().encode(
    JSON.stringify({
      traceID: skeleton.traceID,
      startTime: skeleton.startTime,
      strings: skeleton.strings,
      missingParents: skeleton.missingParents,
      spanCount: n,
      columns: columns.map(([name, type, values]) => ({ name, type, length: values.length })),
      ...(retention === undefined ? {} : { retention }),
    }),
  );
  const align = (offset: number) => Math.ceil(offset / 8) * 8;
  let size = align(8 + header.length);
  for (const [, type, values] of columns) size = align(size + values.length * BYTES[type]);
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(TRACE_COLUMNS_MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  let offset = align(8 + header.length);
  for (const [, type, values] of columns) {
    viewOf(bytes.buffer, offset, values.length, type).set(values);
    offset = align(offset + values.length * BYTES[type]);
  }
  return bytes;
}

function viewOf(buffer: ArrayBuffer, offset: number, length: number, type: ColumnType) {
  switch (type) {
    case 'u8':
      return new Uint8Array(buffer, offset, length);
    case 'u16':
      return new Uint16Array(buffer, offset, length);
    case 'u32':
      return new Uint32Array(buffer, offset, length);
    case 'i32':
      return new Int32Array(buffer, offset, length);
    case 'f64':
      return new Float64Array(buffer, offset, length);
  }
}
