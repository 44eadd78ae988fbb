const UNIT_MICROS: Record<string, number> = { ns: 0.001, us: 1, µs: 1, μs: 1, ms: 1000, s: 1e6, m: 60e6, h: 3600e6 };

/**
 * Reads a Go duration, the format the Jaeger API takes for `minDuration` and
 * `maxDuration` ("100ms", "1.5s", "1m30s"), as microseconds. `undefined` when
 * the text is not one, so the form can say so before the server does.
 */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$/.test(trimmed)) return undefined;
  let micros = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    micros += Number(match[1]) * (UNIT_MICROS[match[2] as string] as number);
  }
  return micros;
}
