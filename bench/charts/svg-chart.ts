/** One line on a panel: (x, y) points in data units, drawn in order. */
export interface ChartSeries {
  readonly name: string;
  /** Any SVG colour. */
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A horizontal dashed line at a value, e.g. a target. */
export interface ReferenceLine {
  readonly value: number;
  readonly label: string;
}

/** One chart area with its own y axis; panels of a chart share the x axis. */
export interface ChartPanel {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly references?: readonly ReferenceLine[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly panels: readonly ChartPanel[];
  readonly width?: number;
  readonly panelHeight?: number;
}

const MARGIN = { left: 64, right: 110, top: 34, bottom: 36 };
const PANEL_GAP = 28;

/**
 * Renders line charts stacked over one shared x axis as a standalone SVG
 * document: no dependencies, no scripts, no fonts beyond the viewer's sans
 * serif, so the file can be committed beside BENCHMARKS.md and shown by any
 * Markdown viewer. Every y axis starts at 0: throughput and memory read
 * wrongly when the axis is cut. Points that are not finite are left out.
 */
export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 800;
  const panelHeight = chart.panelHeight ?? 220;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const height = MARGIN.top + chart.panels.length * (panelHeight + PANEL_GAP) + MARGIN.bottom - PANEL_GAP;
  let xMax = 0;
  for (const panel of chart.panels)
    for (const series of panel.series)
      for (const [x] of series.points) if (Number.isFinite(x)) xMax = Math.max(xMax, x);
  const xTicks = niceTicks(xMax);
  const xTop = xTicks[xTicks.length - 1]!;
  const sx = (x: number) => MARGIN.left + (x / xTop) * plotWidth;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    // The chart's name for screen readers and image viewers (and the linter's accessibility rule).
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, index) => {
    const top = MARGIN.top + index * (panelHeight + PANEL_GAP) + 16;
    const plotHeight = panelHeight - 16;
    let yMax = 0;
    for (const series of panel.series)
      for (const [, y] of series.points) if (Number.isFinite(y)) yMax = Math.max(yMax, y);
    for (const reference of panel.references ?? []) yMax = Math.max(yMax, reference.value);
    const yTicks = niceTicks(yMax);
    const yTop = yTicks[yTicks.length - 1]!;
    const sy = (y: number) => top + plotHeight - (y / yTop) * plotHeight;
    out.push(`<g class="panel" data-title="${escapeXml(panel.title)}">`);
    out.push(`<text x="${MARGIN.left}" y="${top - 6}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (const tick of yTicks) {
      const y = round(sy(tick));
      out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${formatTick(tick)}</text>`);
    }
    for (const tick of xTicks) {
      const x = round(sx(tick));
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotHeight}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${x}" y="${top + plotHeight + 14}" text-anchor="middle">${formatTick(tick)}</text>`);
    }
    out.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`,
    );
    for (const reference of panel.references ?? []) {
      const y = round(sy(reference.value));
      out.push(
        `<line class="reference" x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#cc3333" stroke-dasharray="5 4"/>`,
      );
      // Inside the plot, right-aligned above its line: the margin on the right holds the legend.
      out.push(
        `<text x="${MARGIN.left + plotWidth - 4}" y="${y - 4}" text-anchor="end" fill="#cc3333">${escapeXml(reference.label)}</text>`,
      );
    }
    panel.series.forEach((series, i) => {
      const points = series.points
        .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
        .map(([x, y]) => `${round(sx(x))},${round(sy(y))}`)
        .join(' ');
      out.push(
        `<polyline class="series" data-series="${escapeXml(series.name)}" fill="none" stroke="${escapeXml(series.color)}" stroke-width="1.5" points="${points}"/>`,
      );
      const legendY = top + 12 + i * 16;
      const legendX = MARGIN.left + plotWidth + 6;
      out.push(
        `<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 16}" y2="${legendY - 4}" stroke="${escapeXml(series.color)}" stroke-width="2"/>`,
      );
      out.push(`<text x="${legendX + 20}" y="${legendY}">${escapeXml(series.name)}</text>`);
    });
    out.push('</g>');
  });
  out.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** 0 and about five evenly spaced round values up to at least `max` (1, 2 or 5 times a power of ten apart). */
export function niceTicks(max: number): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks[ticks.length - 1]! < max; i++) ticks.push(round(i * step, 9));
  return ticks;
}

/** 250000 as 250k, 1500000 as 1.5M: tick labels stay short. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${round(value / 1e6, 2)}M`;
  if (abs >= 1e4) return `${round(value / 1e3, 1)}k`;
  return String(round(value, 2));
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
