import { type PointerEvent, useEffect, useRef } from 'react';
import type { SpanTree } from '../../trace/build-span-tree.js';
import { minimapBands } from '../../trace/minimap-bands.js';
import { resolveCssColor, resolveServiceColors } from '../../trace/resolve-colors.js';
import type { RowSet } from '../../trace/row-set.js';
import type { VisibleRows } from '../../trace/visible-rows.js';
import { afterNextPaint } from './after-next-paint.js';

export interface MinimapProps {
  readonly tree: SpanTree;
  readonly rows: VisibleRows;
  readonly traceStart: number;
  readonly traceDuration: number;
  /** Row indexes in view, first and last (exclusive). */
  readonly viewStart: number;
  readonly viewEnd: number;
  readonly matches: RowSet;
  /** Scrolls the timeline so this row is at the top. */
  readonly onJump: (rowIndex: number) => void;
}

const HEIGHT = 56;

/**
 * The whole timeline squeezed into a strip: every visible row one hairline,
 * search matches marked, the window in view framed. Click or drag to go
 * there. The rows' canvas is redrawn only when the rows change, the marks'
 * canvas over it when the matches do. Drawn from the tree's typed columns:
 * no node is made for a row off screen; and a frame late (`afterNextPaint`).
 */
export function Minimap({ tree, rows, traceStart, traceDuration, viewStart, viewEnd, matches, onJump }: MinimapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  // Drawn a frame after the rows it overviews: for a million rows it takes a while.
  useEffect(
    () =>
      afterNextPaint(() => {
        const canvas = canvasRef.current;
        const ctx = sizedContext(canvas);
        if (canvas === null || ctx === undefined) return;
        const width = canvas.clientWidth || 800;
        const ratio = window.devicePixelRatio || 1;
        const colorOf = resolveServiceColors();
        const n = rows.length;
        const rowHeight = Math.max(HEIGHT / Math.max(n, 1), 0.5);
        const scale = traceDuration > 0 ? width / traceDuration : 0;
        const bars = barsOf(tree, colorOf);
        if (n > canvas.height * 2)
          drawBands(ctx, tree, rows, bars, traceStart, scale * ratio, canvas.width, canvas.height);
        else {
          let lastColor = '';
          for (let k = 0; k < n; k++) {
            const i = tree.rows.span[rows.at(k)] as number;
            const color = bars.palette[colorNumber(bars, i)] as string;
            if (color !== lastColor) {
              ctx.fillStyle = color;
              lastColor = color;
            }
            ctx.fillRect(
              ((bars.starts[i] as number) - traceStart) * scale,
              (k / n) * HEIGHT,
              Math.max((bars.durations[i] as number) * scale, 1),
              Math.min(rowHeight, 3),
            );
          }
        }
      }),
    [tree, rows, traceStart, traceDuration],
  );

  // Matches on a canvas of their own: a find does not draw a million rows again.
  const marksRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = sizedContext(marksRef.current);
    if (ctx === undefined) return;
    if (matches.size === 0) return;
    const n = rows.length;
    const rowHeight = Math.max(HEIGHT / Math.max(n, 1), 0.5);
    ctx.fillStyle = resolveCssColor('--match', '#ffd43b');
    for (const row of matches.rows) {
      const k = rows.positionOf(row);
      if (k >= 0) ctx.fillRect(0, (k / n) * HEIGHT, 6, Math.max(rowHeight, 2));
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

/** Per span (columns' index), what a bar needs: times, and through its process a colour number into `palette`. */
interface Bars {
  readonly starts: ArrayLike<number>;
  readonly durations: ArrayLike<number>;
  readonly processOf: ArrayLike<number>;
  readonly processColor: Int32Array;
  readonly palette: readonly string[];
}

const colorNumber = (bars: Bars, i: number): number => bars.processColor[bars.processOf[i] as number] as number;

/** A colour per process, one per service name: resolved once per draw, not per row. */
function barsOf(tree: SpanTree, colorOf: (service: string) => string): Bars {
  const { columns } = tree;
  const palette: string[] = [];
  const paletteIndex = new Map<string, number>();
  const processColor = Int32Array.from(columns.processes, (p) => {
    let index = paletteIndex.get(p.serviceName);
    if (index === undefined) {
      index = palette.length;
      palette.push(colorOf(p.serviceName));
      paletteIndex.set(p.serviceName, index);
    }
    return index;
  });
  return {
    starts: columns.starts,
    durations: columns.durations,
    processOf: columns.processOf,
    processColor,
    palette,
  };
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
  tree: SpanTree,
  rows: VisibleRows,
  bars: Bars,
  traceStart: number,
  pixelsPerMicro: number,
  width: number,
  height: number,
) {
  // Past MAX_BARS rows, every step-th row stands for the rows around it: a pixel row of the strip
  // covers thousands of them, and a fold of a million-row timeline must not redraw every one.
  const step = Math.ceil(rows.length / MAX_BARS);
  const n = Math.ceil(rows.length / step);
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const color = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = tree.rows.span[rows.at(k * step)] as number;
    const x = ((bars.starts[i] as number) - traceStart) * pixelsPerMicro;
    const left = Math.floor(x);
    from[k] = left;
    to[k] = Math.max(Math.ceil(x + (bars.durations[i] as number) * pixelsPerMicro), left + 1);
    color[k] = colorNumber(bars, i);
  }
  const runs = minimapBands({ from, to, color }, height, width);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  let last = -1;
  for (let r = 0; r < runs.length; r += 4) {
    const c = runs[r + 3] as number;
    if (c !== last) {
      ctx.fillStyle = bars.palette[c] as string;
      last = c;
    }
    const left = runs[r + 1] as number;
    ctx.fillRect(left, runs[r] as number, (runs[r + 2] as number) - left, 1);
  }
  ctx.restore();
}
