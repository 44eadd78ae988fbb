import { SPAN_ID_WIDTH } from '../trace/span-columns.js';
import { invalidSkeleton, type SkeletonTrace, traceOfColumns } from './read-skeleton.js';

/** What the server's `trace-columns.ts` writes: keep the two in step. */
const MAGIC = 'ATC1';
type ColumnType = 'u8' | 'u16' | 'u32' | 'i32' | 'f64';
const BYTES: Record<ColumnType, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f64: 8 };
const COLUMNS = [
  'spanIds',
  'parents',
  'starts',
  'durations',
  'services',
  'operations',
  'duplicates',
  'errors',
  'events',
] as const;
type ColumnName = (typeof COLUMNS)[number];

/**
 * The server's trace skeleton in its byte form (`GET
 * /api/trace-view/{id}/columns`, see the server's `trace-columns.ts`): the
 * same light trace as `readTraceSkeleton` gives from the JSON form, read
 * from typed arrays that view the bytes in place instead of a parsed list
 * per column. Span ids are sliced from one decoded string of them all.
 */
export function readTraceColumns(buffer: ArrayBuffer): SkeletonTrace {
  if (buffer.byteLength < 8 || new TextDecoder().decode(new Uint8Array(buffer, 0, 4)) !== MAGIC) {
    throw invalidSkeleton('the bytes are not trace columns');
  }
  const headerLength = new DataView(buffer).getUint32(4, true);
  if (8 + headerLength > buffer.byteLength) throw invalidSkeleton('the header is cut short');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  } catch {
    throw invalidSkeleton('the header is not JSON');
  }
  const { traceID, startTime, strings, missingParents, spanCount: n, columns: listed } = header;
  if (typeof traceID !== 'string') throw invalidSkeleton('traceID is not a string');
  if (typeof startTime !== 'number' || !Number.isFinite(startTime)) throw invalidSkeleton('startTime is not a number');
  if (!Array.isArray(strings) || strings.some((s) => typeof s !== 'string')) {
    throw invalidSkeleton('strings is not a list of strings');
  }
  if (!Array.isArray(missingParents)) throw invalidSkeleton('missingParents is not a list');
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw invalidSkeleton('spanCount is not a count');
  if (!Array.isArray(listed) || listed.length !== COLUMNS.length) throw invalidSkeleton('the columns are not listed');

  const columns = new Map<ColumnName, ArrayLike<number>>();
  let offset = align(8 + headerLength);
  for (const [k, name] of COLUMNS.entries()) {
    const entry = listed[k] as { name?: unknown; type?: unknown; length?: unknown };
    const type = entry.type as ColumnType;
    const length = entry.length;
    if (entry.name !== name || !(type in BYTES) || typeof length !== 'number' || !Number.isInteger(length)) {
      throw invalidSkeleton(`column ${k} is not ${name}`);
    }
    if (offset + length * BYTES[type] > buffer.byteLength) throw invalidSkeleton(`${name} is cut short`);
    columns.set(name, viewOf(buffer, offset, length, type));
    offset = align(offset + length * BYTES[type]);
  }
  const column = (name: ColumnName, perSpan = 1): ArrayLike<number> => {
    const values = columns.get(name) as ArrayLike<number>;
    if (perSpan > 0 && values.length !== n * perSpan) {
      throw invalidSkeleton(`${name} has ${values.length} entries for ${n} spans`);
    }
    return values;
  };
  const ids = new TextDecoder().decode(column('spanIds', SPAN_ID_WIDTH) as Uint8Array);
  if (ids.length !== n * SPAN_ID_WIDTH) throw invalidSkeleton('spanIds are not ASCII');
  return traceOfColumns({
    traceID,
    startTime,
    strings,
    spanCount: n,
    spanIdAt: (i) => ids.substring(i * SPAN_ID_WIDTH, (i + 1) * SPAN_ID_WIDTH),
    idText: ids,
    parents: column('parents'),
    starts: column('starts'),
    durations: column('durations'),
    services: column('services'),
    operations: column('operations'),
    missingParents,
    duplicates: column('duplicates', 0),
    errors: column('errors', 0),
    events: column('events', 0),
    retention: header.retention,
  });
}

const align = (offset: number) => Math.ceil(offset / 8) * 8;

function viewOf(buffer: ArrayBuffer, offset: number, length: number, type: ColumnType): ArrayLike<number> {
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
