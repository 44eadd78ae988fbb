import type { SpanNode, SpanTree } from './build-span-tree.js';

export type DiffStatus = 'added' | 'removed' | 'slower' | 'faster' | 'same';

export interface DiffRow {
  /** Service, operation and the path of service/operation pairs above it: what "the same span" means across traces. */
  readonly key: string;
  readonly serviceName: string;
  readonly operationName: string;
  /** Ancestors, root first, as "service: operation". */
  readonly path: readonly string[];
  readonly depth: number;
  readonly status: DiffStatus;
  readonly countA: number;
  readonly countB: number;
  /** Mean duration in microseconds; 0 where the side has no such span. */
  readonly meanA: number;
  readonly meanB: number;
}

export interface DiffOptions {
  /** A change smaller than this fraction of the slower side is "same" (default 0.1). */
  readonly relativeThreshold?: number;
  /** ...or smaller than this many microseconds (default 100). */
  readonly absoluteThreshold?: number;
}

interface Group {
  serviceName: string;
  operationName: string;
  path: string[];
  count: number;
  total: number;
  /** Position of the first span in depth-first order, to list rows in tree order. */
  order: number;
}

/**
 * Compares two traces span group by span group. Spans are matched by service,
 * operation and the service/operation path from the root (span ids differ
 * between traces, and names alone would match unrelated calls); several spans
 * on one path are compared by count and mean duration. Rows follow trace A's
 * tree order, then the rows only B has, in B's order.
 */
export function diffTraces(a: SpanTree, b: SpanTree, options: DiffOptions = {}): DiffRow[] {
  const relative = options.relativeThreshold ?? 0.1;
  const absolute = options.absoluteThreshold ?? 100;
  const groupsA = groupByPath(a);
  const groupsB = groupByPath(b);
  const rows: DiffRow[] = [];
  const emit = (key: string, ga: Group | undefined, gb: Group | undefined) => {
    const g = (ga ?? gb) as Group;
    const meanA = ga === undefined ? 0 : ga.total / ga.count;
    const meanB = gb === undefined ? 0 : gb.total / gb.count;
    let status: DiffStatus;
    if (ga === undefined) status = 'added';
    else if (gb === undefined) status = 'removed';
    else {
      const change = meanB - meanA;
      const significant = Math.abs(change) >= absolute && Math.abs(change) >= relative * Math.max(meanA, meanB);
      status = !significant ? 'same' : change > 0 ? 'slower' : 'faster';
    }
    rows.push({
      key,
      serviceName: g.serviceName,
      operationName: g.operationName,
      path: g.path,
      depth: g.path.length,
      status,
      countA: ga?.count ?? 0,
      countB: gb?.count ?? 0,
      meanA,
      meanB,
    });
  };
  for (const [key, ga] of [...groupsA].sort((x, y) => x[1].order - y[1].order)) emit(key, ga, groupsB.get(key));
  for (const [key, gb] of [...groupsB].sort((x, y) => x[1].order - y[1].order)) {
    if (!groupsA.has(key)) emit(key, undefined, gb);
  }
  return rows;
}

/** How many rows of each status: the summary line above a comparison. */
export function countDiff(rows: readonly DiffRow[]): Record<DiffStatus, number> {
  const counts: Record<DiffStatus, number> = { added: 0, removed: 0, slower: 0, faster: 0, same: 0 };
  for (const row of rows) counts[row.status]++;
  return counts;
}

function groupByPath(tree: SpanTree): Map<string, Group> {
  const keyOf = new Map<SpanNode, { key: string; path: string[] }>();
  const groups = new Map<string, Group>();
  // Depth-first order puts every parent before its children, so its key is ready.
  for (const node of tree.nodes) {
    const label = `${node.serviceName}: ${node.span.operationName}`;
    const parent = node.parent === undefined ? undefined : keyOf.get(node.parent);
    const path = parent === undefined ? [] : [...parent.path, labelOf(node.parent as SpanNode)];
    const key = parent === undefined ? label : `${parent.key}\u0000${label}`;
    keyOf.set(node, { key, path });
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        serviceName: node.serviceName,
        operationName: node.span.operationName,
        path,
        count: 0,
        total: 0,
        order: node.index,
      };
      groups.set(key, group);
    }
    group.count++;
    group.total += node.span.duration;
  }
  return groups;
}

function labelOf(node: SpanNode): string {
  return `${node.serviceName}: ${node.span.operationName}`;
}
