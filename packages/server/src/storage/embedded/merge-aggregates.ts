import type { TimeSlices } from '../../threads/time-slices.js';
import { type BlockAggregates, writeEdges } from './block-aggregates.js';
import { ByteWriter } from './byte-writer.js';
import { NamesTable } from './names-table.js';

/**
 * The aggregates of several blocks as one block's (the encoding of
 * `AggregatesBuilder.encode`): cells of the same second and series add up,
 * their histograms bin by bin, edges of the same pair and second too. A
 * merge of kept-tier blocks keeps RED metrics and dependencies exact.
 */
export async function mergeAggregates(parts: readonly BlockAggregates[], slices?: TimeSlices): Promise<Buffer> {
  const table = new NamesTable();
  const services = table.names;
  const serviceOf = (name: string) => table.indexOf(name);
  const series: { service: number; name: string; kind: number }[] = [];
  const seriesIndex = new Map<string, number>();
  const cells = new Map<
    string,
    { second: number; series: number; calls: number; errors: number; bins: Map<number, number> }
  >();
  const edges = new Map<string, { parent: number; child: number; second: number; calls: number; errors: number }>();
  for (const part of parts) {
    const seriesMap = part.series.map(({ service, name, kind }) => {
      const merged = serviceOf(part.services[service]!);
      const key = `${merged}\u0000${kind}\u0000${name}`;
      let index = seriesIndex.get(key);
      if (index === undefined) {
        index = series.length;
        series.push({ service: merged, name, kind });
        seriesIndex.set(key, index);
      }
      return index;
    });
    for (let i = 0; i < part.cellSecond.length; i++) {
      // A week of cells is a lot of work: the event loop gets its turns.
      if ((i & 1023) === 1023) {
        const pause = slices?.next();
        if (pause) await pause;
      }
      const second = part.cellSecond[i]!;
      const at = seriesMap[part.cellSeries[i]!]!;
      const key = `${second}:${at}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { second, series: at, calls: 0, errors: 0, bins: new Map() };
        cells.set(key, cell);
      }
      cell.calls += part.cellCalls[i]!;
      cell.errors += part.cellErrors[i]!;
      for (let j = part.binStart[i]!; j < part.binStart[i + 1]!; j++) {
        const bin = part.bins[j]!;
        cell.bins.set(bin, (cell.bins.get(bin) ?? 0) + part.binCounts[j]!);
      }
    }
    for (let i = 0; i < part.edgeSecond.length; i++) {
      const parent = serviceOf(part.services[part.edgeParent[i]!]!);
      const child = serviceOf(part.services[part.edgeChild[i]!]!);
      const second = part.edgeSecond[i]!;
      const key = `${parent}:${child}:${second}`;
      const edge = edges.get(key) ?? { parent, child, second, calls: 0, errors: 0 };
      edge.calls += part.edgeCalls[i]!;
      edge.errors += part.edgeErrors[i]!;
      edges.set(key, edge);
    }
  }
  const out = new ByteWriter(64 * 1024);
  out.varUint(services.length);
  for (const service of services) out.string(service);
  out.varUint(series.length);
  for (const entry of series) {
    out.varUint(entry.service);
    out.string(entry.name);
    out.u8(entry.kind);
  }
  let base = Number.POSITIVE_INFINITY;
  for (const cell of cells.values()) if (cell.second < base) base = cell.second;
  for (const edge of edges.values()) if (edge.second < base) base = edge.second;
  if (!Number.isFinite(base)) base = 0;
  out.varInt64(BigInt(base));
  // Cells in (second, series) order: their seconds are written as deltas.
  const sorted = [...cells.values()].sort((a, b) => a.second - b.second || a.series - b.series);
  out.varUint(sorted.length);
  let previousOffset = 0;
  for (const cell of sorted) {
    const offset = cell.second - base;
    out.varUint(offset - previousOffset);
    previousOffset = offset;
    out.varUint(cell.series);
    out.varUint(cell.calls);
    out.varUint(cell.errors);
    const bins = [...cell.bins].sort(([a], [b]) => a - b);
    out.varUint(bins.length);
    let previousBin = 0;
    for (const [bin, count] of bins) {
      out.varUint(bin - previousBin);
      out.varUint(count);
      previousBin = bin;
    }
  }
  writeEdges(out, edges.values(), edges.size, base);
  return Buffer.from(out.bytes());
}
