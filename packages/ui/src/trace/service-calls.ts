import type { SpanTree } from './build-span-tree.js';

export interface ServiceCall {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  readonly errorCount: number;
}

/**
 * The calls between services inside one trace: an edge wherever a span's
 * parent belongs to another service, counted per pair (the same shape as
 * `/api/dependencies`, so one graph component draws both).
 */
export function serviceCalls(tree: SpanTree): ServiceCall[] {
  const edges = new Map<string, { parent: string; child: string; callCount: number; errorCount: number }>();
  for (const node of tree.nodes) {
    const parent = node.parent;
    if (parent === undefined || parent.serviceName === node.serviceName) continue;
    const key = `${parent.serviceName}\u0000${node.serviceName}`;
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { parent: parent.serviceName, child: node.serviceName, callCount: 0, errorCount: 0 };
      edges.set(key, edge);
    }
    edge.callCount++;
    if (node.hasError) edge.errorCount++;
  }
  return [...edges.values()];
}
