import type { SpanTree } from './build-span-tree.js';
import { servicesOfProcesses } from './service-index.js';

export interface ServiceCall {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  readonly errorCount: number;
}

/**
 * The calls between services inside one trace: an edge wherever a span's
 * parent belongs to another service, counted per pair (the same shape as
 * `/api/dependencies`, so one graph component draws both). One pass over
 * the tree's rows with service numbers: exact for a million spans, with no
 * node per span.
 */
export function serviceCalls(tree: SpanTree): ServiceCall[] {
  const { columns } = tree;
  const { span: rowSpan, parent: rowParent } = tree.rows;
  const { serviceOf, names } = servicesOfProcesses(columns);
  const n = names.length;
  // Per pair (parent service × child service) met: its calls, and errors among them.
  const pairs = new Map<number, { parent: string; child: string; callCount: number; errorCount: number }>();
  for (let r = 0; r < rowSpan.length; r++) {
    const p = rowParent[r] as number;
    if (p < 0) continue;
    const s = rowSpan[r] as number;
    const child = serviceOf[columns.processOf[s] as number] as number;
    const parent = serviceOf[columns.processOf[rowSpan[p] as number] as number] as number;
    if (parent === child) continue;
    const key = parent * n + child;
    let edge = pairs.get(key);
    if (edge === undefined) {
      edge = { parent: names[parent] as string, child: names[child] as string, callCount: 0, errorCount: 0 };
      pairs.set(key, edge);
    }
    edge.callCount++;
    if (columns.failed[s] === 1) edge.errorCount++;
  }
  return [...pairs.values()];
}
