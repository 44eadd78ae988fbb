import { Graph, layout } from '@dagrejs/dagre';

export interface GraphEdgeInput {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  readonly errorCount: number;
}

export interface PlacedNode {
  readonly id: string;
  /** Centre, in pixels. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge extends GraphEdgeInput {
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

/**
 * Left-to-right layered layout of a service graph (dagre). Nodes are sized by
 * their label so names never overlap; every service named by an edge is a
 * node, plus the `extraNodes` (services with no calls). Deterministic: the same
 * graph gives the same picture.
 */
export function layoutServiceGraph(edges: readonly GraphEdgeInput[], extraNodes: readonly string[] = []): GraphLayout {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set<string>(extraNodes);
  for (const edge of edges) {
    names.add(edge.parent);
    names.add(edge.child);
  }
  for (const name of [...names].sort()) g.setNode(name, { width: Math.max(80, 16 + name.length * 7.5), height: 36 });
  for (const edge of edges) if (edge.parent !== edge.child) g.setEdge(edge.parent, edge.child, { label: '' });
  layout(g);
  const nodes: PlacedNode[] = [...names].sort().map((id) => {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    return { id, x: n.x, y: n.y, width: n.width, height: n.height };
  });
  const placed: PlacedEdge[] = edges.map((edge) => {
    if (edge.parent === edge.child) {
      const n = g.node(edge.parent) as { x: number; y: number; height: number };
      const top = n.y - n.height / 2;
      return {
        ...edge,
        points: [
          { x: n.x - 10, y: top },
          { x: n.x, y: top - 24 },
          { x: n.x + 10, y: top },
        ],
      };
    }
    const e = g.edge(edge.parent, edge.child) as { points?: { x: number; y: number }[] } | undefined;
    return { ...edge, points: e?.points ?? [] };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges: placed, width: graph.width ?? 0, height: graph.height ?? 0 };
}
