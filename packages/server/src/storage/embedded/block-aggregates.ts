import { type Resource, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { DependencyCounter } from '../query/dependency-links.js';
import { DURATION_BINS, durationBin } from '../query/duration-histogram.js';
import type { RedAccumulator } from '../query/red-metrics.js';
import type { TimeRange } from '../span-store.js';
import { ByteReader, ByteWriter } from './byte-writer.js';

/**
 * A block's pre-aggregates, so that RED metrics and the service map over hours
 * read a few kilobytes per block instead of decoding spans:
 * - RED cells: per (service, span name, kind) and second of span start, the
 *   calls, errors and a log-scale duration histogram (`duration-histogram.ts`);
 * - edge cells: per (parent service, child service) and second of the child's
 *   start, the calls and errors.
 * One-second cells make answers exact for ranges and steps in whole seconds;
 * otherwise a cell straddling an edge counts whole on the side of its start.
 */
export interface BlockAggregates {
  readonly services: readonly string[];
  readonly series: readonly { readonly service: number; readonly name: string; readonly kind: number }[];
  readonly cellSecond: Float64Array;
  readonly cellSeries: Uint32Array;
  readonly cellCalls: Uint32Array;
  readonly cellErrors: Uint32Array;
  /** Histogram of cell i: `bins`/`binCounts` from `binStart[i]` to `binStart[i + 1]`. */
  readonly binStart: Uint32Array;
  readonly bins: Uint16Array;
  readonly binCounts: Uint32Array;
  readonly edgeParent: Uint32Array;
  readonly edgeChild: Uint32Array;
  readonly edgeSecond: Float64Array;
  readonly edgeCalls: Uint32Array;
  readonly edgeErrors: Uint32Array;
}

const NANOS_PER_SECOND = 1_000_000_000n;
const BIN_FACTOR = DURATION_BINS * 2;

export function secondOf(nanos: bigint): number {
  return Number(nanos / NANOS_PER_SECOND) - (nanos < 0n && nanos % NANOS_PER_SECOND !== 0n ? 1 : 0);
}

export class AggregatesBuilder {
  readonly #services: string[] = [];
  readonly #serviceIndex = new Map<string, number>();
  readonly #resourceService = new Map<Resource, number>();
  readonly #series: { service: number; name: string; kind: number }[] = [];
  readonly #seriesIndex = new Map<string, number>();
  readonly #seriesByResource = new Map<Resource, Map<string, number[]>>();
  /** One packed number per span: ((second - base) · series count + series) · bins · 2 + bin · 2 + error. */
  #spanSeconds: number[] = [];
  #spanSeries: number[] = [];
  #spanBins: number[] = [];
  readonly #edges = new Map<string, { parent: number; child: number; second: number; calls: number; errors: number }>();

  #service(name: string): number {
    let index = this.#serviceIndex.get(name);
    if (index === undefined) {
      index = this.#services.length;
      this.#services.push(name);
      this.#serviceIndex.set(name, index);
    }
    return index;
  }

  addSpan(span: Span): void {
    // Spans of a batch share resource objects and name strings: look series up
    // by them first, and build the text key only once per combination.
    let byName = this.#seriesByResource.get(span.resource);
    if (byName === undefined) {
      byName = new Map();
      this.#seriesByResource.set(span.resource, byName);
    }
    let byKind = byName.get(span.name);
    if (byKind === undefined) {
      byKind = [];
      byName.set(span.name, byKind);
    }
    let series = byKind[span.kind];
    if (series === undefined) {
      series = this.#seriesOf(span);
      byKind[span.kind] = series;
    }
    const duration = span.endTimeUnixNano - span.startTimeUnixNano;
    this.#spanSeconds.push(secondOf(span.startTimeUnixNano));
    this.#spanSeries.push(series);
    this.#spanBins.push(durationBin(Number(duration)) * 2 + (span.status.code === StatusCode.Error ? 1 : 0));
  }

  #seriesOf(span: Span): number {
    let service = this.#resourceService.get(span.resource);
    if (service === undefined) {
      service = this.#service(serviceNameOf(span.resource));
      this.#resourceService.set(span.resource, service);
    }
    const key = `${service}\u0000${span.kind}\u0000${span.name}`;
    let series = this.#seriesIndex.get(key);
    if (series === undefined) {
      series = this.#series.length;
      this.#series.push({ service, name: span.name, kind: span.kind });
      this.#seriesIndex.set(key, series);
    }
    return series;
  }

  addEdge(parent: string, child: string, childStartNanos: bigint, isError: boolean): void {
    const p = this.#service(parent);
    const c = this.#service(child);
    const second = secondOf(childStartNanos);
    const key = `${p}:${c}:${second}`;
    const edge = this.#edges.get(key) ?? { parent: p, child: c, second, calls: 0, errors: 0 };
    edge.calls++;
    if (isError) edge.errors++;
    this.#edges.set(key, edge);
  }

  encode(): Buffer {
    const out = new ByteWriter(64 * 1024);
    out.varUint(this.#services.length);
    for (const service of this.#services) out.string(service);
    out.varUint(this.#series.length);
    for (const series of this.#series) {
      out.varUint(series.service);
      out.string(series.name);
      out.u8(series.kind);
    }
    const count = this.#spanSeconds.length;
    let base = Number.POSITIVE_INFINITY;
    for (const second of this.#spanSeconds) if (second < base) base = second;
    for (const edge of this.#edges.values()) if (edge.second < base) base = edge.second;
    if (!Number.isFinite(base)) base = 0;
    out.varInt64(BigInt(base));
    // Sorting packed numbers groups spans by (second, series) with their bins in order.
    const seriesCount = Math.max(1, this.#series.length);
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      packed[i] =
        ((this.#spanSeconds[i]! - base) * seriesCount + this.#spanSeries[i]!) * BIN_FACTOR + this.#spanBins[i]!;
    }
    packed.sort();
    const cells = new ByteWriter(64 * 1024);
    let cellCount = 0;
    let previousOffset = 0;
    for (let i = 0; i < count; ) {
      const cell = Math.floor(packed[i]! / BIN_FACTOR);
      let end = i;
      let errors = 0;
      while (end < count && Math.floor(packed[end]! / BIN_FACTOR) === cell) {
        errors += packed[end]! % 2;
        end++;
      }
      const offset = Math.floor(cell / seriesCount);
      cells.varUint(offset - previousOffset);
      previousOffset = offset;
      cells.varUint(cell % seriesCount);
      cells.varUint(end - i);
      cells.varUint(errors);
      const bins = new ByteWriter(256);
      let binCount = 0;
      let previousBin = 0;
      for (let j = i; j < end; ) {
        const bin = Math.floor((packed[j]! % BIN_FACTOR) / 2);
        let k = j;
        while (k < end && Math.floor((packed[k]! % BIN_FACTOR) / 2) === bin) k++;
        bins.varUint(bin - previousBin);
        bins.varUint(k - j);
        previousBin = bin;
        binCount++;
        j = k;
      }
      cells.varUint(binCount);
      cells.raw(bins.bytes());
      cellCount++;
      i = end;
    }
    out.varUint(cellCount);
    out.raw(cells.bytes());
    writeEdges(out, this.#edges.values(), this.#edges.size, base);
    return Buffer.from(out.bytes());
  }
}

/** The edge cells of an aggregates encoding (seconds after `base`). */
export function writeEdges(
  out: ByteWriter,
  edges: Iterable<{ parent: number; child: number; second: number; calls: number; errors: number }>,
  count: number,
  base: number,
): void {
  out.varUint(count);
  for (const edge of edges) {
    out.varUint(edge.parent);
    out.varUint(edge.child);
    out.varInt64(BigInt(edge.second - base));
    out.varUint(edge.calls);
    out.varUint(edge.errors);
  }
}

export function decodeAggregates(bytes: Buffer): BlockAggregates {
  const reader = new ByteReader(bytes);
  const services: string[] = [];
  for (let i = reader.varUint(); i > 0; i--) services.push(reader.string());
  const series: { service: number; name: string; kind: number }[] = [];
  for (let i = reader.varUint(); i > 0; i--)
    series.push({ service: reader.varUint(), name: reader.string(), kind: reader.u8() });
  const base = Number(reader.varInt64());
  const cellCount = reader.varUint();
  const cellSecond = new Float64Array(cellCount);
  const cellSeries = new Uint32Array(cellCount);
  const cellCalls = new Uint32Array(cellCount);
  const cellErrors = new Uint32Array(cellCount);
  const binStart = new Uint32Array(cellCount + 1);
  let bins = new Uint16Array(cellCount * 8);
  let binCounts = new Uint32Array(cellCount * 8);
  let used = 0;
  let offset = 0;
  for (let i = 0; i < cellCount; i++) {
    offset += reader.varUint();
    cellSecond[i] = base + offset;
    cellSeries[i] = reader.varUint();
    cellCalls[i] = reader.varUint();
    cellErrors[i] = reader.varUint();
    const n = reader.varUint();
    if (used + n > bins.length) {
      const size = Math.max(used + n, bins.length * 2);
      const grownBins = new Uint16Array(size);
      grownBins.set(bins);
      bins = grownBins;
      const grownCounts = new Uint32Array(size);
      grownCounts.set(binCounts);
      binCounts = grownCounts;
    }
    let bin = 0;
    for (let j = 0; j < n; j++) {
      bin += reader.varUint();
      bins[used] = bin;
      binCounts[used] = reader.varUint();
      used++;
    }
    binStart[i + 1] = used;
  }
  const edgeCount = reader.varUint();
  const edgeParent = new Uint32Array(edgeCount);
  const edgeChild = new Uint32Array(edgeCount);
  const edgeSecond = new Float64Array(edgeCount);
  const edgeCalls = new Uint32Array(edgeCount);
  const edgeErrors = new Uint32Array(edgeCount);
  for (let i = 0; i < edgeCount; i++) {
    edgeParent[i] = reader.varUint();
    edgeChild[i] = reader.varUint();
    edgeSecond[i] = base + Number(reader.varInt64());
    edgeCalls[i] = reader.varUint();
    edgeErrors[i] = reader.varUint();
  }
  return {
    services,
    series,
    cellSecond,
    cellSeries,
    cellCalls,
    cellErrors,
    binStart,
    bins: bins.slice(0, used),
    binCounts: binCounts.slice(0, used),
    edgeParent,
    edgeChild,
    edgeSecond,
    edgeCalls,
    edgeErrors,
  };
}

/** Adds a block's RED cells into a query's series. */
export function addRedCells(aggregates: BlockAggregates, red: RedAccumulator): void {
  // Per series of the block: where its cells go (undefined: not asked for).
  const targets = aggregates.series.map(({ service, name, kind }) =>
    red.seriesFor(aggregates.services[service]!, name, kind),
  );
  const { cellSecond, cellSeries, cellCalls, cellErrors, binStart, bins, binCounts } = aggregates;
  for (let i = 0; i < cellSecond.length; i++) {
    const target = targets[cellSeries[i]!];
    if (target === undefined) continue;
    const bucket = red.bucketOfSecond(cellSecond[i]!);
    if (bucket === -1) continue;
    const histogram = red.add(target, bucket, cellCalls[i]!, cellErrors[i]!);
    for (let j = binStart[i]!; j < binStart[i + 1]!; j++) histogram[bins[j]!]! += binCounts[j]!;
  }
}

/** Adds a block's edge cells whose second overlaps the range. */
export function addDependencyCells(aggregates: BlockAggregates, range: TimeRange, counter: DependencyCounter): void {
  const from = secondOf(range.startNanos);
  const to = secondOf(range.endNanos);
  const { services, edgeParent, edgeChild, edgeSecond, edgeCalls, edgeErrors } = aggregates;
  for (let i = 0; i < edgeSecond.length; i++) {
    const second = edgeSecond[i]!;
    if (second < from || second > to) continue;
    counter.add(services[edgeParent[i]!]!, services[edgeChild[i]!]!, edgeCalls[i]!, edgeErrors[i]!);
  }
}

/** About the memory decoded aggregates hold, for the block cache. */
export function aggregatesMemoryBytes(aggregates: BlockAggregates): number {
  let bytes = 512;
  for (const service of aggregates.services) bytes += 64 + service.length;
  for (const series of aggregates.series) bytes += 96 + series.name.length;
  for (const column of [
    aggregates.cellSecond,
    aggregates.cellSeries,
    aggregates.cellCalls,
    aggregates.cellErrors,
    aggregates.binStart,
    aggregates.bins,
    aggregates.binCounts,
    aggregates.edgeParent,
    aggregates.edgeChild,
    aggregates.edgeSecond,
    aggregates.edgeCalls,
    aggregates.edgeErrors,
  ]) {
    bytes += 96 + column.byteLength;
  }
  return bytes;
}
