/**
 * Spans a collector acknowledged from its local spool (fsynced because
 * ClickHouse was away or slower than the spool's threshold) rather than after
 * ClickHouse's own acknowledgement, so far: the sum of
 * `ariadne_spool_spooled_spans_total` on its `/metrics`. NaN when the
 * counter cannot be read, so the report says "not measured", never 0.
 */
export async function spooledSpans(adminUrl: string): Promise<number> {
  try {
    const response = await fetch(`${new URL(adminUrl).origin}/metrics`, { signal: AbortSignal.timeout(30_000) });
    if (response.status !== 200) return Number.NaN;
    const text = await response.text();
    const lines = [...text.matchAll(/^ariadne_spool_spooled_spans_total(?:\{[^}]*\})? (\S+)$/gm)];
    if (lines.length > 0) return lines.reduce((total, line) => total + Number(line[1]), 0);
    // A counter never incremented shows only its HELP and TYPE lines; without them, the collector has no such counter.
    return /^# TYPE ariadne_spool_spooled_spans_total counter$/m.test(text) ? 0 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
