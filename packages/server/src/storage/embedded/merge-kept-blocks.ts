import { basename } from 'node:path';
import type { Span } from '@ariadne/protocol';
import type { TimeSlices } from '../../threads/time-slices.js';
import { type BlockReader, type CutTrace, writeBlock } from './block-file.js';
import { spansByTrace } from './block-traces.js';
import { Head } from './head.js';
import { mergeAggregates } from './merge-aggregates.js';
import { NamesTable } from './names-table.js';

/**
 * Writes several kept-tier blocks as one at `path` (temporary name, fsync,
 * rename): a kept block holds few traces, and its own dictionary is most of
 * it when attribute values vary (each block stored them again); merged, the
 * values its traces share are stored once. Traces, the policy that kept
 * each, the decisions about traces in several blocks, the aggregates,
 * services, operations and time range are the union of the sources'. The
 * new block's metadata names the sources, so an open after a crash between
 * the rename and their deletion deletes them.
 */
export async function mergeKeptBlocks(
  sources: readonly BlockReader[],
  path: string,
  slices: TimeSlices,
): Promise<void> {
  const traces = new Map<string, Span[]>();
  const keptBy = new Map<string, string>();
  const decided = new Map<string, string | null>();
  const table = new NamesTable();
  const services = table.names;
  const serviceOf = (name: string) => table.indexOf(name);
  const operations = new Map<string, [number, string, number]>();
  let minStart: bigint | undefined;
  let maxStart: bigint | undefined;
  for (const source of sources) {
    const [meta, index] = await Promise.all([source.meta(), source.traceIndex()]);
    await spansByTrace(source, slices, traces);
    for (let ordinal = 0; ordinal < meta.traceCount; ordinal++) {
      keptBy.set(index.traceId(ordinal), meta.retention?.keptBy[ordinal] ?? 'unknown');
    }
    for (const [traceId, policy] of meta.retention?.decided ?? []) decided.set(traceId, policy);
    for (const [service, name, kind] of meta.operations) {
      const merged = serviceOf(meta.services[service]!);
      operations.set(`${merged}\u0000${kind}\u0000${name}`, [merged, name, kind]);
    }
    for (const service of meta.services) serviceOf(service);
    if (minStart === undefined || source.minStart < minStart) minStart = source.minStart;
    if (maxStart === undefined || source.maxStart > maxStart) maxStart = source.maxStart;
  }
  const cut = new Map<string, CutTrace>();
  for (const [traceId, spans] of traces) cut.set(traceId, { spans, bodies: spans.flatMap(() => [-1, 0, 0]) });
  const aggregates = await mergeAggregates(await Promise.all(sources.map((source) => source.aggregates())), slices);
  await writeBlock(path, cut, new Head(), aggregates, undefined, slices, {
    services,
    operations: [...operations.values()],
    minStartNanos: (minStart ?? 0n).toString(),
    maxStartNanos: (maxStart ?? 0n).toString(),
    keptBy: (traceId) => keptBy.get(traceId) ?? 'unknown',
    decided: [...decided],
    replaces: sources.map((source) => basename(source.path)),
  });
}
