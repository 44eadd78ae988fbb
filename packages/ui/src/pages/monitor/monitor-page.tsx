import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type uPlot from 'uplot';
import type { ApiClient } from '../../api/api-client.js';
import { getRedMetric, type RedQuery, type RedSeries } from '../../api/red-metrics.js';
import { PageMessage } from '../../components/page-message.js';
import { UPlotChart } from '../../components/uplot-chart.js';
import { useApiClient } from '../../hooks/api-client-context.js';
import { useServices } from '../../hooks/use-services.js';
import { bucketSearchUrl } from '../../search/bucket-search.js';
import '../compare/compare-page.css';

const WINDOWS = [
  { value: '15m', label: 'Last 15 minutes', millis: 15 * 60e3, step: 60e3 },
  { value: '1h', label: 'Last hour', millis: 3600e3, step: 60e3 },
  { value: '6h', label: 'Last 6 hours', millis: 6 * 3600e3, step: 5 * 60e3 },
  { value: '24h', label: 'Last 24 hours', millis: 24 * 3600e3, step: 15 * 60e3 },
  { value: '7d', label: 'Last 7 days', millis: 7 * 24 * 3600e3, step: 3600e3 },
];
const KINDS = ['server', 'client', 'producer', 'consumer', 'internal'];

interface RedData {
  readonly p50: RedSeries[];
  readonly p95: RedSeries[];
  readonly p99: RedSeries[];
  readonly calls: RedSeries[];
  readonly errors: RedSeries[];
}

/**
 * `/monitor`: rate, errors and duration (RED) per service and operation, from
 * Jaeger SPM's `/api/metrics/*`. A click on a chart opens a search for the
 * traces of that bucket.
 */
export function MonitorPage() {
  const client = useApiClient();
  const navigate = useNavigate();
  const services = useServices();
  const [params, setParams] = useSearchParams();
  const service = params.get('service') ?? services.data?.[0] ?? '';
  const operation = params.get('operation') ?? '';
  const kind = params.get('kind') ?? 'server';
  const windowValue = params.get('window') ?? '1h';
  const window_ = WINDOWS.find((w) => w.value === windowValue) ?? (WINDOWS[1] as (typeof WINDOWS)[number]);
  const set = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value === '') next.delete(key);
      else next.set(key, value);
      if (key === 'service') next.delete('operation');
      return next;
    });

  const [now] = useState(() => Date.now());
  const redBase = {
    service,
    spanKind: kind,
    groupByOperation: true,
    endMillis: now,
    lookbackMillis: window_.millis,
  };
  const metrics = useQuery({
    queryKey: ['red', service, kind, window_.value, now],
    enabled: service !== '',
    queryFn: ({ signal }) => fetchRed(client, { ...redBase, stepMillis: window_.step }, signal),
  });
  // The table's figures are over the whole window (one bucket), not means of the charts' buckets:
  // a quantile or an error ratio does not average.
  const summary = useQuery({
    queryKey: ['red-summary', service, kind, window_.value, now],
    enabled: service !== '',
    queryFn: ({ signal }) => fetchRed(client, { ...redBase, stepMillis: window_.millis }, signal),
  });

  const operations = useMemo(() => {
    const names = new Set<string>();
    for (const s of metrics.data?.calls ?? []) names.add(s.operation);
    return [...names].sort();
  }, [metrics.data]);

  const openBucket = (time: number | undefined) => {
    if (time === undefined) return;
    navigate(bucketSearchUrl({ service, operation, startMillis: time, endMillis: time + window_.step }));
  };

  let content: ReactNode;
  if (services.isPending) content = <PageMessage title="Loading services…" tone="loading" />;
  else if (services.isError)
    content = (
      <PageMessage title="Cannot load services" tone="error">
        <p>{services.error.message}</p>
      </PageMessage>
    );
  else if (service === '')
    content = (
      <PageMessage title="No services yet">
        <p>Send spans first; RED metrics are computed from them.</p>
      </PageMessage>
    );
  else if (metrics.isPending) content = <PageMessage title="Loading metrics…" tone="loading" />;
  else if (metrics.isError) {
    content = (
      <PageMessage title="Metrics could not be loaded" tone="error">
        <p>{metrics.error.message}</p>
        <p>If the server says it does not compute RED metrics, its store lacks them; otherwise try again.</p>
        <button type="button" className="button" onClick={() => void metrics.refetch()}>
          Try again
        </button>
      </PageMessage>
    );
  } else {
    const pick = (list: RedSeries[], mode: 'sum' | 'max') => combine(list, operation, mode);
    const p50 = pick(metrics.data.p50, 'max');
    const p95 = pick(metrics.data.p95, 'max');
    const p99 = pick(metrics.data.p99, 'max');
    const calls = pick(metrics.data.calls, 'sum');
    const errors = pick(metrics.data.errors, 'max');
    const range: [number, number] = [now - window_.millis, now];
    content =
      calls.times.length === 0 ? (
        <PageMessage title="No spans of this kind in this window" testId="monitor-empty">
          <p>Pick another span kind (most services record their requests as server spans), or widen the window.</p>
        </PageMessage>
      ) : (
        <>
          <div className="monitor-charts">
            <RedChart
              title="Request rate (per second)"
              testId="chart-rate"
              range={range}
              series={[['calls/s', calls]]}
              onPick={openBucket}
            />
            <RedChart
              title="Error rate (%)"
              testId="chart-errors"
              range={range}
              series={[['errors %', { times: errors.times, values: errors.values.map((v) => v * 100) }]]}
              onPick={openBucket}
            />
            <RedChart
              title="Duration (ms)"
              testId="chart-latency"
              range={range}
              series={[
                ['p50', p50],
                ['p95', p95],
                ['p99', p99],
              ]}
              onPick={openBucket}
            />
          </div>
          <p className="muted">Click a point on a chart to see example traces from that minute.</p>
          <OperationsTable
            data={summary.data}
            operations={operations}
            service={service}
            onPick={(op) => set('operation', op)}
          />
        </>
      );
  }

  return (
    <div className="monitor-page" data-testid="monitor-page">
      <div className="page-controls">
        <h1 style={{ fontSize: 18 }}>Monitor</h1>
        <select
          value={service}
          onChange={(e) => set('service', e.target.value)}
          data-testid="monitor-service"
          aria-label="Service"
        >
          {(services.data ?? []).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select
          value={operation}
          onChange={(e) => set('operation', e.target.value)}
          data-testid="monitor-operation"
          aria-label="Operation"
        >
          <option value="">All operations</option>
          {operations.map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
        <select value={kind} onChange={(e) => set('kind', e.target.value)} aria-label="Span kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select value={window_.value} onChange={(e) => set('window', e.target.value)} aria-label="Window">
          {WINDOWS.map((w) => (
            <option key={w.value} value={w.value}>
              {w.label}
            </option>
          ))}
        </select>
      </div>
      {content}
    </div>
  );
}

function fetchRed(client: ApiClient, base: RedQuery, signal: AbortSignal): Promise<RedData> {
  return Promise.all([
    getRedMetric(client, 'latencies', { ...base, quantile: 0.5 }, signal),
    getRedMetric(client, 'latencies', { ...base, quantile: 0.95 }, signal),
    getRedMetric(client, 'latencies', { ...base, quantile: 0.99 }, signal),
    getRedMetric(client, 'calls', base, signal),
    getRedMetric(client, 'errors', base, signal),
  ]).then(([p50, p95, p99, calls, errors]) => ({ p50, p95, p99, calls, errors }));
}

/** One operation's series, or the sum over operations (rates add; for quantiles and ratios the max is a safe upper bound). */
function combine(
  list: readonly RedSeries[],
  operation: string,
  mode: 'sum' | 'max',
): { times: number[]; values: number[] } {
  if (operation !== '') {
    const s = list.find((x) => x.operation === operation);
    return { times: s?.times ?? [], values: s?.values ?? [] };
  }
  const byTime = new Map<number, number[]>();
  for (const s of list) {
    for (let i = 0; i < s.times.length; i++) {
      const t = s.times[i] as number;
      byTime.set(t, [...(byTime.get(t) ?? []), s.values[i] as number]);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    times,
    values: times.map((t) => {
      const values = byTime.get(t) as number[];
      return mode === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
    }),
  };
}

function RedChart({
  title,
  series,
  range: [from, to],
  testId,
  onPick,
}: {
  title: string;
  series: [string, { times: number[]; values: number[] }][];
  /** The chosen window, ms: every chart spans all of it, however few points a series has. */
  range: [number, number];
  testId: string;
  onPick: (timeMillis: number | undefined) => void;
}) {
  const times = useMemo(() => [...new Set(series.flatMap(([, s]) => s.times))].sort((a, b) => a - b), [series]);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      times.map((t) => t / 1000),
      ...series.map(([, s]) => {
        const at = new Map(s.times.map((t, i) => [t, s.values[i] as number]));
        return times.map((t) => at.get(t) ?? null);
      }),
    ],
    [times, series],
  );
  const colors = ['#3d5afe', '#f28e2b', '#d6336c'];
  const labels = series.map(([label]) => label).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series names or the window change.
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: true, range: [from / 1000, to / 1000] } },
      series: [
        {},
        ...series.map(([label], i) => ({
          label,
          stroke: colors[i % colors.length],
          width: 1.5,
          points: { show: true, size: 5 },
          spanGaps: false,
        })),
      ],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
      legend: { show: true },
      cursor: { points: { show: true } },
    }),
    [labels, from, to],
  );
  return (
    <div className="panel monitor-chart">
      <h2 style={{ fontSize: 14, marginBottom: 6 }}>{title}</h2>
      <UPlotChart
        options={options}
        data={data}
        height={180}
        testId={testId}
        label={title}
        onClickIndex={(index) => onPick(index === undefined ? undefined : times[index])}
      />
    </div>
  );
}

function OperationsTable({
  data,
  operations,
  service,
  onPick,
}: {
  /** Over the whole window; undefined while it loads. */
  data: RedData | undefined;
  operations: string[];
  service: string;
  onPick: (operation: string) => void;
}) {
  // The window is the first bucket; a second one, at the window's very end instant, is left out.
  const overWindow = (list: RedSeries[] | undefined, op: string) => list?.find((x) => x.operation === op)?.values[0];
  const fmt = (v: number | undefined, digits = 2) => (v === undefined ? '–' : v.toFixed(digits));
  return (
    <table className="data-table" data-testid="monitor-operations">
      <thead>
        <tr>
          <th>Operation</th>
          <th className="numeric">Rate /s</th>
          <th className="numeric">Errors %</th>
          <th className="numeric">p50 ms</th>
          <th className="numeric">p95 ms</th>
          <th className="numeric">p99 ms</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {operations.map((op) => {
          const errors = overWindow(data?.errors, op);
          return (
            <tr key={op} data-testid="monitor-operation-row">
              <td>
                <button type="button" className="link-button" onClick={() => onPick(op)}>
                  {op}
                </button>
              </td>
              <td className="numeric">{fmt(overWindow(data?.calls, op), 3)}</td>
              <td className="numeric">{errors === undefined ? '–' : (errors * 100).toFixed(1)}</td>
              <td className="numeric">{fmt(overWindow(data?.p50, op))}</td>
              <td className="numeric">{fmt(overWindow(data?.p95, op))}</td>
              <td className="numeric">{fmt(overWindow(data?.p99, op))}</td>
              <td>
                <Link to={`/search?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(op)}`}>
                  Traces
                </Link>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
