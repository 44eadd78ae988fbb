import { type MouseEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { SpanNode, SpanTree } from '../../trace/build-span-tree.js';
import { flameHitTest, flameLayout } from '../../trace/flame-layout.js';
import { formatDuration } from '../../trace/format-duration.js';
import { resolveCssColor, resolveServiceColors } from '../../trace/resolve-colors.js';

export interface FlameGraphProps {
  readonly tree: SpanTree;
  readonly selectedId: string | undefined;
  readonly matches: ReadonlySet<string>;
  readonly onSelect: (spanId: string) => void;
}

const ROW = 18;

/**
 * Time left to right, nesting top to bottom, one canvas: 100,000 spans draw
 * in one pass (spans narrower than a pixel are drawn as hairlines, one per
 * pixel column of a row however many fall there), and a click finds the
 * span under the pointer from the layout.
 */
export function FlameGraph({ tree, selectedId, matches, onSelect }: FlameGraphProps) {
  const layout = useMemo(() => flameLayout(tree), [tree]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ node: SpanNode; x: number; y: number } | undefined>();
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
    const nodes = tree.nodes;
    // Per row, the pixel column its last hairline went to: of the spans narrower than a pixel that
    // fall in one column of one row, one is drawn (a million spans are mostly such; the picture is
    // the same but for which service colours that pixel).
    const hairlineAt = new Int32Array(layout.maxDepth + 1).fill(-1);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as SpanNode;
      const x = (layout.x[i] as number) * width;
      const narrow = (layout.width[i] as number) * width < 1;
      const w = Math.max((layout.width[i] as number) * width, 1);
      const depth = layout.depth[i] as number;
      const y = depth * ROW;
      if (narrow && !matches.has(node.spanId) && node.spanId !== selectedId) {
        if (hairlineAt[depth] === Math.floor(x)) continue;
        hairlineAt[depth] = Math.floor(x);
      }
      ctx.fillStyle = colorOf(node.serviceName);
      ctx.fillRect(x, y, w, ROW - 1);
      if (w > 3 && (node.hasError || matches.has(node.spanId) || node.spanId === selectedId)) {
        ctx.strokeStyle = node.spanId === selectedId ? text : matches.has(node.spanId) ? match : error;
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, w - 2, ROW - 3);
      }
      if (w > 40) {
        ctx.fillStyle = '#111';
        const label = `${node.span.operationName} (${formatDuration(node.span.duration)})`;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x, y, w, ROW);
        ctx.clip();
        ctx.fillText(label, x + 4, y + ROW / 2);
        ctx.restore();
      }
    }
  }, [tree, layout, height, matches, selectedId]);

  const nodeAt = (event: MouseEvent<HTMLCanvasElement>): SpanNode | undefined => {
    const rect = event.currentTarget.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const row = Math.floor((event.clientY - rect.top) / ROW);
    const index = flameHitTest(layout, fx, row, 1 / rect.width);
    return index < 0 ? undefined : tree.nodes[index];
  };

  return (
    <div className="flame-graph" data-testid="flame-graph">
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
