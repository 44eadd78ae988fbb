import type { JaegerTrace } from '@ariadne/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { buildSpanTree } from '../../trace/build-span-tree.js';
import { revealSpan, spansWithChildren, toggleCollapsed, visibleRows } from '../../trace/visible-rows.js';
import { SpanDetail } from './span-detail.js';
import { Timeline } from './timeline.js';
import { TraceHeader } from './trace-header.js';

const NOTHING_COLLAPSED: ReadonlySet<string> = new Set();

/**
 * A loaded trace. The tree is built once per trace; a collapse or a selection
 * only recomputes the visible rows (O(visible rows)) and re-renders the rows
 * on screen. The selected span is in the URL (`?span=`), so it can be shared.
 */
export function TraceView({ trace }: { trace: JaegerTrace }) {
  const tree = useMemo(() => buildSpanTree(trace), [trace]);
  const [collapsed, setCollapsed] = useState(NOTHING_COLLAPSED);
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('span') ?? undefined;
  const selected = selectedId === undefined ? undefined : tree.byId.get(selectedId);

  // A span selected from outside the timeline (a link, the URL) must be on screen.
  useEffect(() => {
    if (selectedId !== undefined) setCollapsed((current) => revealSpan(tree, current, selectedId));
  }, [tree, selectedId]);

  const select = useCallback(
    (spanId: string | undefined) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (spanId === undefined || current.get('span') === spanId) next.delete('span');
          else next.set('span', spanId);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const toggle = useCallback((spanId: string) => setCollapsed((current) => toggleCollapsed(current, spanId)), []);
  const expandAll = useCallback(() => setCollapsed(NOTHING_COLLAPSED), []);
  const collapseAll = useCallback(() => setCollapsed(spansWithChildren(tree)), [tree]);
  const close = useCallback(() => select(undefined), [select]);

  return (
    <div className="trace-view">
      <TraceHeader trace={trace} tree={tree} />
      <div className={selected === undefined ? 'trace-body' : 'trace-body trace-body-with-detail'}>
        <Timeline
          tree={tree}
          rows={rows}
          collapsed={collapsed}
          selectedId={selected?.spanId}
          onSelect={select}
          onToggle={toggle}
          onExpandAll={expandAll}
          onCollapseAll={collapseAll}
        />
        {selected !== undefined && <SpanDetail node={selected} tree={tree} onClose={close} onSelect={select} />}
      </div>
    </div>
  );
}
