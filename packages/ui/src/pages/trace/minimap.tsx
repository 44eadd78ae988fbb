import { type PointerEvent, useEffect, useRef } from 'react';
import type { SpanNode } from '../../trace/build-span-tree.js';
import { minimapBands } from '../../trace/minimap-bands.js';
import { resolveCssColor, resolveServiceColors } from '../../trace/resolve-colors.js';

export interface MinimapProps {
  readonly rows: readonly SpanNode[];
  readonly traceStart: number;
  readonly traceDuration: number;
  /** Row indexes in view, first and last (exclusive). */
  readonly viewStart: number;
  readonly viewEnd: number;
  readonly matches: ReadonlySet<string>;
  /** Scrolls the timeline so this row is at the top. */
  readonly onJump: (rowIndex: number) => void;
}

const HEIGHT = 56;

/**
 * The whole timeline squeezed into a strip: every visible row one hairline,
 * search matches marked, the window in view framed. Click or drag to go
 * there. The rows' canvas is redrawn only when the rows change, the marks'
 * canvas over it when the matches do.
 */
export function Minimap({ rows, traceStart, traceDuration, viewStart, viewEnd, matches, onJump }: MinimapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = sizedContext(canvas);
    if (canvas === null || ctx === undefined) return;
    const width = canvas.clientWidth || 800;
    const ratio = window.devicePixelRatio || 1;
    const colorOf = resolveServiceColors();
    const n = rows.length;
    const rowHeight = Math.max(HEIGHT / Math.max(n, 1), 0.5);
    const scale = traceDuration > 0 ? width / traceDuration : 0;
    if (n > canvas.height * 2) drawBands(ctx, rows, traceStart, scale * ratio, canvas.width, canvas.height, colorOf);
    else {
      let lastColor = '';
      for (let i = 0; i < n; i++) {
        const node = rows[i] as SpanNode;
        const color = colorOf(node.serviceName);
        if (color !== lastColor) {
          ctx.fillStyle = color;
          lastColor = color;
        }
        ctx.fillRect(
          (node.span.startTime - traceStart) * scale,
          (i / n) * HEIGHT,
          Math.max(node.span.duration * scale, 1),
          Math.min(rowHeight, 3),
        );
      }
    }
  }, [rows, traceStart, traceDuration]);

  // Matches on a canvas of their own: a find does not draw a million rows again.
  const marksRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = sizedContext(marksRef.current);
    if (ctx === undefined) return;
    if (matches.size === 0) return;
    const n = rows.length;
    const rowHeight = Math.max(HEIGHT / Math.max(n, 1), 0.5);
    ctx.fillStyle = resolveCssColor('--match', '#ffd43b');
    for (let i = 0; i < n; i++) {
      if (matches.has((rows[i] as SpanNode).spanId)) ctx.fillRect(0, (i / n) * HEIGHT, 6, Math.max(rowHeight, 2));
    }
  }, [rows, matches]);

  const jump = (event: PointerEvent<HTMLDivElement>) => {
    if (event.type === 'pointermove' && event.buttons !== 1) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1);
    const span = viewEnd - viewStart;
    onJump(Math.max(0, Math.round(fraction * rows.length - span / 2)));
  };

  const shown = Math.max(rows.length, 1);
  return (
    <div
      className="minimap"
      data-testid="minimap"
      onPointerDown={jump}
      onPointerMove={jump}
      role="presentation"
      title="Overview: click or drag to move through the trace"
    >
      <canvas ref={canvasRef} />
      <canvas ref={marksRef} className="minimap-marks" />
      <div
        className="minimap-window"
        data-testid="minimap-window"
        style={{
          top: `${(viewStart / shown) * 100}%`,
          height: `${Math.max(((viewEnd - viewStart) / shown) * 100, 2)}%`,
        }}
      />
    </div>
  );
}

/** The canvas sized to its box in device pixels, cleared, drawing in CSS pixels; undefined without one. */
function sizedContext(canvas: HTMLCanvasElement | null): CanvasRenderingContext2D | undefined {
  if (canvas === null) return undefined;
  const width = canvas.clientWidth || 800;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(HEIGHT * ratio);
  const ctx = canvas.getContext('2d');
  if (ctx === null) return undefined;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, HEIGHT);
  return ctx;
}

/** Rows the strip draws from at most; more are sampled evenly. */
const MAX_BARS = 100_000;

/**
 * More rows than pixel rows: each pixel row shows, per column, the last of
 * its rows there (`minimapBands`), in device pixels; far fewer rectangles
 * than one per row. Past `MAX_BARS` rows, a sample of them, evenly spaced.
 */
function drawBands(
  ctx: CanvasRenderingContext2D,
  rows: readonly SpanNode[],
  traceStart: number,
  pixelsPerMicro: number,
  width: number,
  height: number,
  colorOf: (service: string) => string,
) {
  // Past MAX_BARS rows, every step-th row stands for the rows around it: a pixel row of the strip
  // covers thousands of them, and a fold of a million-row timeline must not redraw every one.
  const step = Math.ceil(rows.length / MAX_BARS);
  const n = Math.ceil(rows.length / step);
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const color = new Int32Array(n);
  const palette: string[] = [];
  const paletteIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const node = rows[i * step] as SpanNode;
    const x = (node.span.startTime - traceStart) * pixelsPerMicro;
    const left = Math.floor(x);
    from[i] = left;
    to[i] = Math.max(Math.ceil(x + node.span.duration * pixelsPerMicro), left + 1);
    let index = paletteIndex.get(node.serviceName);
    if (index === undefined) {
      index = palette.length;
      palette.push(colorOf(node.serviceName));
      paletteIndex.set(node.serviceName, index);
    }
    color[i] = index;
  }
  const runs = minimapBands({ from, to, color }, height, width);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  let last = -1;
  for (let r = 0; r < runs.length; r += 4) {
    const c = runs[r + 3] as number;
    if (c !== last) {
      ctx.fillStyle = palette[c] as string;
      last = c;
    }
    const left = runs[r + 1] as number;
    ctx.fillRect(left, runs[r] as number, (runs[r + 2] as number) - left, 1);
  }
  ctx.restore();
}
