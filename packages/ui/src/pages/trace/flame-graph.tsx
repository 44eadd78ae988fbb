import { type MouseEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { flameHitTest, flameLayout } from '../../trace/flame-layout.js';
import { formatDuration } from '../../trace/format-duration.js';
import { resolveCssColor, resolveServiceColors } from '../../trace/resolve-colors.js';
import type { RowSet } from '../../trace/row-set.js';

export interface FlameGraphProps {
  readonly tree: SpanTree;
  readonly selectedRow: number | undefined;
  /** Rows that find matched. */
  readonly matches: RowSet;
  readonly onSelect: (spanId: string) => void;
}

const ROW = 18;

/**
 * Time left to right, nesting top to bottom, one canvas, drawn from the
 * tree's rows and the trace's columns (typed arrays; a node is made only for
 * the span under the pointer). Spans narrower than a pixel are drawn as
 * hairlines, one per pixel column of a row however many fall there: at a
 * million spans most are such, and the view says how many it merged.
 */
export function FlameGraph({ tree, selectedRow, matches, onSelect }: FlameGraphProps) {
  const layout = useMemo(() => flameLayout(tree), [tree]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ node: SpanNode; x: number; y: number } | undefined>();
  const [merged, setMerged] = useState(0);
  const height = (layout.maxDepth + 1) * ROW + 4;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) return;
    const width = canvas.clientWidth || 1000;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const colorOf = resolveServiceColors();
    const text = resolveCssColor('--text', '#111');
    const match = resolveCssColor('--match', '#ffd43b');
    const error = resolveCssColor('--error', '#d6336c');
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const { columns } = tree;
    const rowSpan = tree.rows.span;
    const colorOfProcess = columns.processes.map((p) => colorOf(p.serviceName));
    const matched = matches.rows;
    // Matches are sorted rows, walked beside the rows: no lookup per row.
    let nextMatch = 0;
    // Per depth, the pixel column its last hairline went to: of the spans narrower than a pixel that
    // fall in one column of one row, one is drawn (the picture is the same but for which service
    // colours that pixel).
    const hairlineAt = new Int32Array(layout.maxDepth + 1).fill(-1);
    let skipped = 0;
    for (let r = 0; r < rowSpan.length; r++) {
      while (nextMatch < matched.length && (matched[nextMatch] as number) < r) nextMatch++;
      const isMatch = matched[nextMatch] === r;
      const isSelected = r === selectedRow;
      const s = rowSpan[r] as number;
      const x = (layout.x[r] as number) * width;
      const exact = (layout.width[r] as number) * width;
      const w = exact < 1 ? 1 : exact;
      const depth = layout.depth[r] as number;
      const y = depth * ROW;
      if (exact < 1 && !isMatch && !isSelected) {
        const column = Math.floor(x);
        if (hairlineAt[depth] === column) {
          skipped++;
          continue;
        }
        hairlineAt[depth] = column;
      }
      ctx.fillStyle = colorOfProcess[columns.processOf[s] as number] as string;
      ctx.fillRect(x, y, w, ROW - 1);
      const failed = columns.failed[s] === 1;
      if (w > 3 && (failed || isMatch || isSelected)) {
        ctx.strokeStyle = isSelected ? text : isMatch ? match : error;
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, w - 2, ROW - 3);
      }
      if (w > 40) {
        ctx.fillStyle = '#111';
        const duration = columns.durations[s] as number;
        const label = `${columns.operationNames[columns.operationOf[s] as number]} (${formatDuration(duration)})`;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x, y, w, ROW);
        ctx.clip();
        ctx.fillText(label, x + 4, y + ROW / 2);
        ctx.restore();
      }
    }
    setMerged(skipped);
  }, [tree, layout, height, matches, selectedRow]);

  const nodeAt = (event: MouseEvent<HTMLCanvasElement>): SpanNode | undefined => {
    const rect = event.currentTarget.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const row = Math.floor((event.clientY - rect.top) / ROW);
    const index = flameHitTest(layout, fx, row, 1 / rect.width);
    return index < 0 ? undefined : tree.nodeAt(index);
  };

  return (
    <div className="flame-graph" data-testid="flame-graph">
      {merged > 0 && (
        <p className="muted flame-note" data-testid="flame-merged">
          Aggregated: {merged.toLocaleString('en')} of {tree.size.toLocaleString('en')} spans are narrower than a pixel
          where others are; each pixel column of a row shows one of them.
        </p>
      )}
      <canvas
        ref={canvasRef}
        style={{ width: '100%', height }}
        onClick={(event) => {
          const node = nodeAt(event);
          if (node !== undefined) onSelect(node.spanId);
        }}
        onMouseMove={(event) => {
          const node = nodeAt(event);
          const rect = event.currentTarget.getBoundingClientRect();
          setHover(
            node === undefined ? undefined : { node, x: event.clientX - rect.left, y: event.clientY - rect.top },
          );
        }}
        onMouseLeave={() => setHover(undefined)}
      />
      {hover !== undefined && (
        <div className="flame-tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }} role="tooltip">
          <strong>{hover.node.span.operationName}</strong>
          <span className="muted"> {hover.node.serviceName}</span>
          <br />
          {formatDuration(hover.node.span.duration)}
        </div>
      )}
    </div>
  );
}
