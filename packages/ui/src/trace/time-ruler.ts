import { formatDuration } from './format-duration.js';

export interface RulerTick {
  /** 0 at the trace start, 1 at its end. */
  readonly fraction: number;
  readonly label: string;
}

/** Evenly spaced ticks over a trace's duration (Jaeger's ruler): `intervals + 1` ticks, both ends included. */
export function rulerTicks(durationMicros: number, intervals = 4): RulerTick[] {
  const ticks: RulerTick[] = [];
  for (let i = 0; i <= intervals; i++) {
    const fraction = i / intervals;
    ticks.push({ fraction, label: formatDuration(durationMicros * fraction) });
  }
  return ticks;
}

export interface BarGeometry {
  /** Percent of the axis width. */
  readonly left: number;
  readonly width: number;
}

/**
 * Where a span's bar sits on the trace's axis, in percent. Bars keep a minimum
 * width so instantaneous spans stay visible, and never run past the axis end.
 */
export function barGeometry(
  spanStart: number,
  spanDuration: number,
  traceStart: number,
  traceDuration: number,
  minWidthPercent = 0.2,
): BarGeometry {
  if (traceDuration <= 0) return { left: 0, width: 100 };
  const left = Math.min(Math.max(((spanStart - traceStart) / traceDuration) * 100, 0), 100 - minWidthPercent);
  const width = Math.min(Math.max((spanDuration / traceDuration) * 100, minWidthPercent), 100 - left);
  return { left, width };
}
