import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './uplot-chart.css';

export interface UPlotChartProps {
  readonly options: Omit<uPlot.Options, 'width' | 'height'>;
  readonly data: uPlot.AlignedData;
  readonly height: number;
  /** Called with the chart after every redraw (to place overlays from `valToPos`). */
  readonly onDraw?: (chart: uPlot) => void;
  /** A click on the plot, with the data index under the cursor (undefined when none). */
  readonly onClickIndex?: (index: number | undefined, chart: uPlot) => void;
  readonly testId?: string;
  readonly label: string;
}

/**
 * uPlot in React: created once per options object, fed new data in place,
 * resized with its container. uPlot draws on a canvas, so the chart says what
 * it is through `aria-label`, and pages list the same numbers as text.
 */
export function UPlotChart({ options, data, height, onDraw, onClickIndex, testId, label }: UPlotChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | undefined>(undefined);
  const callbacks = useRef({ onDraw, onClickIndex });
  callbacks.current = { onDraw, onClickIndex };

  // biome-ignore lint/correctness/useExhaustiveDependencies: data is applied by the effect below, without a rebuild.
  useEffect(() => {
    const host = hostRef.current;
    if (host === null) return;
    const chart = new uPlot(
      {
        ...options,
        width: host.clientWidth || 600,
        height,
        hooks: {
          ...options.hooks,
          draw: [...(options.hooks?.draw ?? []), (u) => callbacks.current.onDraw?.(u)],
        },
      },
      data,
      host,
    );
    chartRef.current = chart;
    const click = () => {
      const index = chart.cursor.idx;
      callbacks.current.onClickIndex?.(index === null || index === undefined ? undefined : index, chart);
    };
    chart.over.addEventListener('click', click);
    const observer = new ResizeObserver(() => chart.setSize({ width: host.clientWidth || 600, height }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      chart.over.removeEventListener('click', click);
      chart.destroy();
      chartRef.current = undefined;
    };
  }, [options, height]);

  useEffect(() => {
    chartRef.current?.setData(data);
  }, [data]);

  return <div className="uplot-chart" ref={hostRef} data-testid={testId} role="img" aria-label={label} />;
}
