import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type uPlot from 'uplot';
import { UPlotChart } from '../../components/uplot-chart.js';
import { formatDuration } from '../../trace/format-duration.js';
import type { TraceSummary } from '../../trace/summarize-trace.js';

interface Dot {
  readonly traceId: string;
  readonly left: number;
  readonly top: number;
  readonly error: boolean;
  readonly title: string;
}

/**
 * Duration over time of the results, one dot per trace, errors in red.
 * uPlot draws; a transparent link over every dot makes each one clickable,
 * focusable and testable (a click opens the trace).
 */
export function ResultsScatter({ summaries }: { summaries: readonly TraceSummary[] }) {
  const sorted = useMemo(() => [...summaries].sort((a, b) => a.startTime - b.startTime), [summaries]);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      sorted.map((s) => s.startTime / 1e6),
      sorted.map((s) => (s.errorCount === 0 ? s.duration / 1000 : null)),
      sorted.map((s) => (s.errorCount > 0 ? s.duration / 1000 : null)),
    ],
    [sorted],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      series: [
        {},
        {
          label: 'ok',
          stroke: '#3d5afe',
          fill: '#3d5afe',
          paths: () => null,
          points: { show: true, size: 7, fill: '#3d5afe' },
        },
        {
          label: 'with errors',
          stroke: '#d6336c',
          paths: () => null,
          points: { show: true, size: 8, fill: '#d6336c' },
        },
      ],
      axes: [
        { stroke: 'currentColor' },
        { stroke: 'currentColor', size: 60, values: (_u, ticks) => ticks.map((t) => formatDuration(t * 1000)) },
      ],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      legend: { show: false },
      cursor: { points: { show: false } },
    }),
    [],
  );
  const [dots, setDots] = useState<readonly Dot[]>([]);
  const place = (chart: uPlot) => {
    const next: Dot[] = sorted.map((s) => ({
      traceId: s.traceId,
      left: chart.valToPos(s.startTime / 1e6, 'x') + chart.over.offsetLeft,
      top: chart.valToPos(s.duration / 1000, 'y') + chart.over.offsetTop,
      error: s.errorCount > 0,
      title: `${s.rootServiceName}: ${s.rootOperationName}, ${formatDuration(s.duration)}${s.errorCount > 0 ? `, ${s.errorCount} errors` : ''}`,
    }));
    setDots((old) => (sameDots(old, next) ? old : next));
  };
  return (
    <div className="results-scatter" data-testid="results-scatter">
      <UPlotChart options={options} data={data} height={160} onDraw={place} label="Duration of each trace over time" />
      {dots.map((dot) => (
        <Link
          key={dot.traceId}
          to={`/trace/${dot.traceId}`}
          className={dot.error ? 'scatter-dot scatter-dot-error' : 'scatter-dot'}
          style={{ left: dot.left, top: dot.top }}
          title={dot.title}
          aria-label={`Open trace: ${dot.title}`}
          data-testid="scatter-dot"
          data-trace-id={dot.traceId}
          data-error={dot.error || undefined}
        />
      ))}
    </div>
  );
}

function sameDots(a: readonly Dot[], b: readonly Dot[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Dot;
    const y = b[i] as Dot;
    if (x.traceId !== y.traceId || Math.abs(x.left - y.left) > 0.5 || Math.abs(x.top - y.top) > 0.5) return false;
  }
  return true;
}
