import { NamesTable } from '../../storage/embedded/names-table.js';
import { joinSpanIds, NOT_FOUND } from './join-span-ids.js';
import { hexWord } from './span-ids.js';
import { MAX_EVENT_MARKS, type TraceOutline } from './trace-outline.js';

/**
 * A trace's outline (`TraceOutline`) with nothing per span but numbers: span
 * ids as two 32-bit words, parents as indexes, in typed arrays a store's
 * thread can hand over by transfer. For the web UI's columns
 * (`encodePackedColumns`): a million hex id strings and the hash table to find
 * parents by them cost most of a second to make, to copy between threads and
 * to collect, where these columns cost a few milliseconds.
 *
 * Only for a trace whose span ids are 8 bytes (16 lowercase hex digits, as
 * stored) and all different: then the query APIs' readers (`readSpansOnce`,
 * `readUniqueSpanIds`) have nothing to change in it, and the columns mean
 * what the outline's skeleton means.
 */
export interface PackedTraceOutline extends PackedSpanColumns {
  /** As stored (lowercase hex). */
  readonly traceId: string;
  /** Index in these columns of the span's parent; -1 for a root, -2 when the parent is not in the trace. */
  readonly parents: Int32Array;
  /** The parent ids of the spans whose `parents` entry is -2, in span order. */
  readonly missingParents: readonly string[];
}

/** The columns a packed outline and its parts share. */
export interface PackedSpanColumns {
  /** Two words per span: the id's first and last four bytes, big-endian (they order as its hex text). */
  readonly spanIds: Uint32Array;
  /** As in `TraceOutline`. */
  readonly startMicros: Float64Array;
  readonly durationMicros: Float64Array;
  readonly strings: readonly string[];
  /** Indexes into `strings`. */
  readonly services: Int32Array;
  readonly names: Int32Array;
  /** Indexes of the spans that failed, ascending. */
  readonly failed: Int32Array;
  /** As in `TraceOutline`: three numbers per mark (the span's index, micros, an index into `strings` or -1). */
  readonly events: Float64Array;
}

/**
 * Some spans of a trace packed but not joined (`PackedOutlineBuilder.part`):
 * what a store keeps beside a block's rows for a trace with many spans in
 * it, so that a later read appends it (`addPart`) rather than walk the rows.
 * Indexes (parents, events, failed) count from the part's first span;
 * strings are the part's own.
 */
export interface PackedOutlinePart extends PackedSpanColumns {
  readonly spanCount: number;
  /** A span index in the part, -1 for none, `PARENT_BY_ID` or `PARENT_MISSING`. */
  readonly parents: Int32Array;
  /** Two words per span whose parent is `PARENT_BY_ID`, in span order. */
  readonly parentIds: Uint32Array;
  /** The id's text per span whose parent is `PARENT_MISSING`, in span order. */
  readonly missingTexts: readonly string[];
}

/** A store that reads a trace's packed outline itself. */
export interface PackedOutlineReader {
  /**
   * The packed outline of every stored span of the trace, as the
   * `TraceOutline` of `getTraceOutline` would be packed; undefined when the
   * trace cannot be packed (an id that is not 8 bytes, or two spans with one
   * id: ask `getTraceOutline`). Rejects with `TraceNotFound` like `getTrace`.
   */
  getPackedTraceOutline(traceId: string): Promise<PackedTraceOutline | undefined>;
}

export function hasPackedOutline(reader: object): reader is PackedOutlineReader {
  return typeof (reader as Partial<PackedOutlineReader>).getPackedTraceOutline === 'function';
}

/** A parent named by id (`PackedOutlineBuilder.addSpan`), looked up once every span is in. */
export const PARENT_BY_ID = -3;
/** A parent not in the trace whatever else comes: its id is not 8 bytes (`PackedOutlineBuilder.addSpan`). */
export const PARENT_MISSING = -2;

/**
 * Collects a packed outline span by span, from the parts of a trace read
 * from several places; `build` looks parents up by id and refuses a trace
 * that cannot be packed.
 */
export class PackedOutlineBuilder {
  traceId = '';
  #count = 0;
  /** Set once a span cannot be packed: `build` gives undefined. */
  #refused = false;
  #ids: Uint32Array;
  /** A span index, -1 (root), `PARENT_MISSING`, or `PARENT_BY_ID` with the id in `#parentIds`. */
  #parents: Int32Array;
  #parentIds: Uint32Array;
  #startMicros: Float64Array;
  #durationMicros: Float64Array;
  #services: Int32Array;
  #names: Int32Array;
  readonly #missingTexts = new Map<number, string>();
  readonly #failed: number[] = [];
  readonly #events: number[] = [];
  #marks = 0;
  readonly #strings = new NamesTable();
  /** Per dictionary (a block's strings, or its resources' services), its indexes in `#strings`; -1 until used. */
  readonly #indexes = new WeakMap<readonly unknown[], Int32Array>();

  /** `expectedSpans`: room made at once (a store knows how many spans it holds of the trace); more grow it. */
  constructor(expectedSpans = 1024) {
    const size = Math.max(16, expectedSpans);
    this.#ids = new Uint32Array(2 * size);
    this.#parents = new Int32Array(size);
    this.#parentIds = new Uint32Array(2 * size);
    this.#startMicros = new Float64Array(size);
    this.#durationMicros = new Float64Array(size);
    this.#services = new Int32Array(size);
    this.#names = new Int32Array(size);
  }

  get spanCount(): number {
    return this.#count;
  }

  /** This trace cannot be packed (`build` gives undefined). */
  refuse(): void {
    this.#refused = true;
  }

  /** Whether a span was refused: the rest of the trace need not be read. */
  get refused(): boolean {
    return this.#refused;
  }

  intern(text: string): number {
    return this.#strings.indexOf(text);
  }

  /**
   * A dictionary's indexes here (-1: not yet, `internAt` makes it), kept per
   * dictionary: a block's strings are each looked up once however many of its
   * spans use them.
   */
  indexesOf(dictionary: readonly unknown[]): Int32Array {
    let known = this.#indexes.get(dictionary);
    if (known === undefined) {
      known = new Int32Array(dictionary.length).fill(-1);
      this.#indexes.set(dictionary, known);
    }
    return known;
  }

  /** The index here of `texts[at]`, remembered in `indexes` (`indexesOf(texts)` or of what they name). */
  internAt(indexes: Int32Array, at: number, text: string | undefined): number {
    let index = indexes[at];
    if (index === undefined || text === undefined) throw new RangeError('reference out of range');
    if (index === -1) {
      index = this.intern(text);
      indexes[at] = index;
    }
    return index;
  }

  /**
   * Adds a span; its events follow (`addEvent`) before the next span. `parent`:
   * the parent's index here, -1 for none, `PARENT_MISSING` with the id's text
   * in `missingText`, or `PARENT_BY_ID` with the id's words.
   */
  addSpan(
    idHigh: number,
    idLow: number,
    parent: number,
    parentHigh: number,
    parentLow: number,
    startMicros: number,
    durationMicros: number,
    service: number,
    name: number,
    failed: boolean,
    missingText = '',
  ): void {
    const index = this.#count;
    if (index === this.#names.length) this.#grow();
    this.#ids[2 * index] = idHigh;
    this.#ids[2 * index + 1] = idLow;
    this.#parents[index] = parent;
    if (parent === PARENT_BY_ID) {
      this.#parentIds[2 * index] = parentHigh;
      this.#parentIds[2 * index + 1] = parentLow;
    } else if (parent === PARENT_MISSING) this.#missingTexts.set(index, missingText);
    this.#startMicros[index] = startMicros;
    this.#durationMicros[index] = durationMicros;
    this.#services[index] = service;
    this.#names[index] = name;
    if (failed) this.#failed.push(index);
    this.#marks = 0;
    this.#count++;
  }

  /** An event of the span added last (`TraceOutlineBuilder.addEvent`): false once it has its `MAX_EVENT_MARKS`. */
  addEvent(micros: number, name: string | undefined): boolean {
    if (this.#marks >= MAX_EVENT_MARKS) return false;
    this.#marks++;
    this.#events.push(this.#count - 1, micros, name === undefined ? -1 : this.intern(name));
    return this.#marks < MAX_EVENT_MARKS;
  }

  /** What was added so far, not joined (`PackedOutlinePart`); undefined when a span was refused. */
  part(): PackedOutlinePart | undefined {
    if (this.#refused) return undefined;
    const n = this.#count;
    const parents = this.#parents.slice(0, n);
    let byId = 0;
    for (let i = 0; i < n; i++) if (parents[i] === PARENT_BY_ID) byId++;
    const parentIds = new Uint32Array(2 * byId);
    const missingTexts: string[] = [];
    for (let i = 0, at = 0; i < n; i++) {
      if (parents[i] === PARENT_BY_ID) {
        parentIds[at++] = this.#parentIds[2 * i] as number;
        parentIds[at++] = this.#parentIds[2 * i + 1] as number;
      } else if (parents[i] === PARENT_MISSING) missingTexts.push(this.#missingTexts.get(i) ?? '');
    }
    return {
      spanCount: n,
      spanIds: this.#ids.slice(0, 2 * n),
      parents,
      parentIds,
      missingTexts,
      startMicros: this.#startMicros.slice(0, n),
      durationMicros: this.#durationMicros.slice(0, n),
      strings: [...this.#strings.names],
      services: this.#services.slice(0, n),
      names: this.#names.slice(0, n),
      failed: Int32Array.from(this.#failed).sort(),
      events: Float64Array.from(this.#events),
    };
  }

  /** Appends a part (`part`) with column copies: no call per span but the string and parent look-ups. */
  addPart(part: PackedOutlinePart): void {
    const n = part.spanCount;
    if (n === 0) return;
    const base = this.#count;
    while (this.#names.length < base + n) this.#grow();
    this.#ids.set(part.spanIds, 2 * base);
    this.#startMicros.set(part.startMicros, base);
    this.#durationMicros.set(part.durationMicros, base);
    const strings = Int32Array.from(part.strings, (text) => this.intern(text));
    const indexOf = (at: number) => {
      const index = strings[at];
      if (index === undefined) throw new RangeError('string reference out of range');
      return index;
    };
    // The fields as locals: this loop runs once per span of a million-span trace.
    const parents = this.#parents;
    const services = this.#services;
    const names = this.#names;
    const parentIds = this.#parentIds;
    const { parents: partParents, services: partServices, names: partNames, parentIds: partParentIds } = part;
    let byId = 0;
    let missing = 0;
    for (let i = 0; i < n; i++) {
      let parent = partParents[i] as number;
      if (parent >= 0) {
        if (parent >= n) throw new RangeError('parent out of range');
        parent += base;
      } else if (parent === PARENT_BY_ID) {
        if (2 * byId + 1 >= partParentIds.length) throw new RangeError('parent id out of range');
        parentIds[2 * (base + i)] = partParentIds[2 * byId] as number;
        parentIds[2 * (base + i) + 1] = partParentIds[2 * byId + 1] as number;
        byId++;
      } else if (parent === PARENT_MISSING) this.#missingTexts.set(base + i, part.missingTexts[missing++] ?? '');
      else parent = -1;
      parents[base + i] = parent;
      services[base + i] = indexOf(partServices[i] as number);
      names[base + i] = indexOf(partNames[i] as number);
    }
    const spanAt = (index: number) => {
      if (!(index >= 0 && index < n)) throw new RangeError('span index out of range');
      return base + index;
    };
    for (const failed of part.failed) this.#failed.push(spanAt(failed));
    const { events } = part;
    for (let at = 0; at + 2 < events.length; at += 3) {
      const name = events[at + 2] as number;
      this.#events.push(spanAt(events[at] as number), events[at + 1] as number, name === -1 ? -1 : indexOf(name));
    }
    this.#count += n;
    this.#marks = 0;
  }

  /** The spans of an outline (a store's head, read as spans): refused unless every span id is 16 hex digits. */
  addOutline(outline: TraceOutline): void {
    const n = outline.spanIds.length;
    if (n === 0) return;
    if (this.traceId === '') this.traceId = outline.traceId;
    const first = this.#count;
    const words = [0, 0];
    let mark = 0;
    const { events } = outline;
    for (let i = 0; i < n; i++) {
      if (!hexWords(outline.spanIds[i] as string, words)) {
        this.refuse();
        return;
      }
      const [high, low] = words as [number, number];
      const parentId = outline.parentIds[i] as string;
      const hint = outline.parentHints[i] as number;
      let parent = -1;
      if (hint >= 0) parent = first + hint;
      else if (parentId !== '') parent = hexWords(parentId, words) ? PARENT_BY_ID : PARENT_MISSING;
      this.addSpan(
        high,
        low,
        parent,
        words[0] as number,
        words[1] as number,
        outline.startMicros[i] as number,
        outline.durationMicros[i] as number,
        this.intern(outline.strings[outline.services[i] as number] as string),
        this.intern(outline.strings[outline.names[i] as number] as string),
        false,
        parentId,
      );
      // The outline's events are in span order, at most MAX_EVENT_MARKS each.
      for (; mark < events.length && events[mark] === i; mark += 3) {
        const name = events[mark + 2] as number;
        this.addEvent(events[mark + 1] as number, name === -1 ? undefined : (outline.strings[name] as string));
      }
    }
    for (const failed of outline.failed) this.#failed.push(first + failed);
  }

  #grow(): void {
    const size = this.#names.length * 2;
    const grown = <T extends Float64Array | Int32Array | Uint32Array>(column: T, make: (size: number) => T): T => {
      const bigger = make(size);
      bigger.set(column);
      return bigger;
    };
    this.#ids = grown(this.#ids, (n) => new Uint32Array(2 * n));
    this.#parentIds = grown(this.#parentIds, (n) => new Uint32Array(2 * n));
    this.#parents = grown(this.#parents, (n) => new Int32Array(n));
    this.#startMicros = grown(this.#startMicros, (n) => new Float64Array(n));
    this.#durationMicros = grown(this.#durationMicros, (n) => new Float64Array(n));
    this.#services = grown(this.#services, (n) => new Int32Array(n));
    this.#names = grown(this.#names, (n) => new Int32Array(n));
  }

  /** The packed outline; undefined when a span was refused or two spans share an id. */
  build(): PackedTraceOutline | undefined {
    if (this.#refused) return undefined;
    const n = this.#count;
    const ids = this.#ids.subarray(0, 2 * n);
    const parents = this.#parents.subarray(0, n);
    // The parents named by id, looked up all at once.
    let byId = 0;
    for (let i = 0; i < n; i++) if (parents[i] === PARENT_BY_ID) byId++;
    const wanted = new Uint32Array(2 * byId);
    for (let i = 0, at = 0; i < n; i++) {
      if (parents[i] !== PARENT_BY_ID) continue;
      wanted[at++] = this.#parentIds[2 * i] as number;
      wanted[at++] = this.#parentIds[2 * i + 1] as number;
    }
    const found = joinSpanIds(ids, wanted);
    if (found === undefined) return undefined;
    const missingParents: string[] = [];
    for (let i = 0, at = 0; i < n; i++) {
      const parent = parents[i] as number;
      if (parent === PARENT_BY_ID) {
        const index = found[at++] as number;
        parents[i] = index === NOT_FOUND ? PARENT_MISSING : index;
        if (index === NOT_FOUND) {
          missingParents.push(wordsToHex(this.#parentIds[2 * i] as number, this.#parentIds[2 * i + 1] as number));
        }
      } else if (parent === PARENT_MISSING) missingParents.push(this.#missingTexts.get(i) ?? '');
    }
    const failed = Int32Array.from(this.#failed).sort();
    return {
      traceId: this.traceId,
      spanIds: ids,
      parents,
      missingParents,
      startMicros: this.#startMicros.subarray(0, n),
      durationMicros: this.#durationMicros.subarray(0, n),
      strings: this.#strings.names,
      services: this.#services.subarray(0, n),
      names: this.#names.subarray(0, n),
      failed,
      events: Float64Array.from(this.#events),
    };
  }
}

/** An id of 16 lowercase hex digits as two words into `out`; false for any other text. */
export function hexWords(text: string, out: number[]): boolean {
  const high = text.length === 16 ? hexWord(text, 0) : -1;
  const low = high === -1 ? -1 : hexWord(text, 8);
  if (low === -1) return false;
  out[0] = high;
  out[1] = low;
  return true;
}

/** Two words as the id's 16 hex digits. */
export function wordsToHex(high: number, low: number): string {
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
