/**
 * Reads OpenTelemetry environment variables the way the OTel SDK does: blank
 * means unset, and a value that is not a number is ignored (unset), not zero.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function numberFromEnv(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isNaN(value) ? undefined : value;
}

export function stringFromEnv(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** A comma-separated list, lowercased, blanks removed (OTEL_PROPAGATORS, OTEL_TRACES_EXPORTER). */
export function listFromEnv(env: Env, name: string): string[] | undefined {
  const raw = stringFromEnv(env, name);
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}
