import type { SpanNode, SpanTree } from './build-span-tree.js';

/**
 * The rows a timeline shows: the tree's depth-first order minus the
 * descendants of collapsed spans. A collapsed span's subtree is one contiguous
 * run of `descendantCount` nodes in that order, so it is skipped in one step:
 * the cost is the number of visible rows, whatever is hidden.
 */
export function visibleRows(tree: SpanTree, collapsed: ReadonlySet<string>): SpanNode[] {
  const nodes = tree.nodes;
  if (collapsed.size === 0) return nodes as SpanNode[];
  const rows: SpanNode[] = [];
  for (let i = 0; i < nodes.length; ) {
    const node = nodes[i] as SpanNode;
    rows.push(node);
    i += collapsed.has(node.spanId) ? 1 + node.descendantCount : 1;
  }
  return rows;
}

/** Every span that has children: what "collapse all" collapses. */
export function spansWithChildren(tree: SpanTree): Set<string> {
  const ids = new Set<string>();
  for (const node of tree.nodes) if (node.children.length > 0) ids.add(node.spanId);
  return ids;
}

/** Collapse state after toggling one span; a new Set so React sees the change. */
export function toggleCollapsed(collapsed: ReadonlySet<string>, spanId: string): Set<string> {
  const next = new Set(collapsed);
  if (!next.delete(spanId)) next.add(spanId);
  return next;
}

/** Expands every ancestor of a span, so a span selected from elsewhere (a link, the URL) is on screen. */
export function revealSpan(tree: SpanTree, collapsed: ReadonlySet<string>, spanId: string): ReadonlySet<string> {
  let next: Set<string> | undefined;
  for (let node = tree.byId.get(spanId)?.parent; node !== undefined; node = node.parent) {
    if (collapsed.has(node.spanId)) {
      next ??= new Set(collapsed);
      next.delete(node.spanId);
    }
  }
  return next ?? collapsed;
}
