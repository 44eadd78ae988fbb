import type { TraceOrder } from '../trace/summarize-trace.js';
import { parseGoDuration } from './go-duration.js';
import { parseLogfmt } from './parse-logfmt.js';

/**
 * The search form lives in the URL query (`/search?service=...`), so a search
 * can be shared, bookmarked and reloaded. Values stay text as typed; the
 * lookback stays relative ("1h"), so a shared link means "the last hour" for
 * whoever opens it.
 */
export interface SearchForm {
  readonly service: string;
  readonly operation: string;
  /** logfmt, as typed. */
  readonly tags: string;
  readonly lookback: string;
  readonly minDuration: string;
  readonly maxDuration: string;
  readonly limit: string;
  /** With lookback "custom": the window, as ISO-8601 instants (UTC). */
  readonly from: string;
  readonly to: string;
  /** How the window is shown and typed: the browser's time zone or UTC. */
  readonly tz: string;
}

export const LOOKBACKS: readonly { readonly value: string; readonly label: string; readonly micros: number }[] = [
  { value: '5m', label: 'Last 5 minutes', micros: 5 * 60e6 },
  { value: '15m', label: 'Last 15 minutes', micros: 15 * 60e6 },
  { value: '1h', label: 'Last hour', micros: 3600e6 },
  { value: '2h', label: 'Last 2 hours', micros: 2 * 3600e6 },
  { value: '6h', label: 'Last 6 hours', micros: 6 * 3600e6 },
  { value: '12h', label: 'Last 12 hours', micros: 12 * 3600e6 },
  { value: '24h', label: 'Last 24 hours', micros: 24 * 3600e6 },
  { value: '2d', label: 'Last 2 days', micros: 48 * 3600e6 },
  { value: '7d', label: 'Last 7 days', micros: 7 * 24 * 3600e6 },
];

export const DEFAULT_FORM: SearchForm = {
  service: '',
  operation: '',
  tags: '',
  lookback: '1h',
  minDuration: '',
  maxDuration: '',
  limit: '20',
  from: '',
  to: '',
  tz: 'local',
};

/** The lookback value that means "between `from` and `to`". */
export const CUSTOM_LOOKBACK = 'custom';

/** Jaeger's UI offers up to 1500; more would be slow to send and to list. */
export const MAX_LIMIT = 1500;

const FORM_KEYS = Object.keys(DEFAULT_FORM) as (keyof SearchForm)[];
const ORDERS: readonly TraceOrder[] = ['recent', 'longest', 'spans', 'errors'];

export function formFromUrl(params: URLSearchParams): SearchForm {
  const form: Record<keyof SearchForm, string> = { ...DEFAULT_FORM };
  for (const key of FORM_KEYS) {
    const value = params.get(key);
    if (value !== null) form[key] = value;
  }
  return form;
}

/** Only values that differ from the defaults, in a fixed order, so equal searches give equal URLs. */
export function formToUrl(form: SearchForm, order: TraceOrder = 'recent'): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FORM_KEYS) {
    const value = form[key].trim();
    if ((key === 'from' || key === 'to') && form.lookback !== CUSTOM_LOOKBACK) continue;
    if (value !== DEFAULT_FORM[key] && !(key !== 'lookback' && key !== 'limit' && value === '')) params.set(key, value);
  }
  if (order !== 'recent') params.set('sort', order);
  return params;
}

export function orderFromUrl(params: URLSearchParams): TraceOrder {
  const value = params.get('sort');
  return ORDERS.find((order) => order === value) ?? 'recent';
}

/** A search the API can run: validated, tags parsed. */
export interface TraceSearch {
  readonly service?: string;
  readonly operation?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly lookback: string;
  readonly lookbackMicros: number;
  /** An absolute window (microseconds since the epoch) instead of the lookback. */
  readonly startMicros?: number;
  readonly endMicros?: number;
  readonly minDuration?: string;
  readonly maxDuration?: string;
  readonly limit: number;
}

export type FormErrors = Partial<Record<keyof SearchForm, string>>;

export type ValidatedSearch =
  | { readonly ok: true; readonly search: TraceSearch }
  | { readonly ok: false; readonly errors: FormErrors };

export function validateForm(form: SearchForm): ValidatedSearch {
  const errors: FormErrors = {};
  const tags = parseLogfmt(form.tags);
  if (!tags.ok) errors.tags = tags.error;
  const custom = form.lookback === CUSTOM_LOOKBACK;
  const lookback = custom ? { value: CUSTOM_LOOKBACK, micros: 0 } : LOOKBACKS.find((l) => l.value === form.lookback);
  if (lookback === undefined) errors.lookback = `Unknown lookback "${form.lookback}".`;
  let startMicros: number | undefined;
  let endMicros: number | undefined;
  if (custom) {
    const from = Date.parse(form.from);
    const to = Date.parse(form.to);
    if (!Number.isFinite(from)) errors.from = 'Pick the start of the window.';
    if (!Number.isFinite(to)) errors.to = 'Pick the end of the window.';
    if (Number.isFinite(from) && Number.isFinite(to) && to <= from) errors.to = 'The end is not after the start.';
    startMicros = from * 1000;
    endMicros = to * 1000;
  }
  const min = form.minDuration.trim();
  const max = form.maxDuration.trim();
  const minMicros = min === '' ? undefined : parseGoDuration(min);
  const maxMicros = max === '' ? undefined : parseGoDuration(max);
  if (min !== '' && minMicros === undefined) errors.minDuration = 'Write a duration such as 100ms, 1.5s or 2m.';
  if (max !== '' && maxMicros === undefined) errors.maxDuration = 'Write a duration such as 100ms, 1.5s or 2m.';
  if (minMicros !== undefined && maxMicros !== undefined && minMicros > maxMicros) {
    errors.maxDuration = 'The maximum is below the minimum.';
  }
  const limit = Number(form.limit.trim());
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    errors.limit = `Between 1 and ${MAX_LIMIT}.`;
  }
  if (Object.keys(errors).length > 0 || !tags.ok || lookback === undefined) return { ok: false, errors };
  const service = form.service.trim();
  const operation = form.operation.trim();
  return {
    ok: true,
    search: {
      ...(service === '' ? {} : { service }),
      // Jaeger's API ignores an operation without a service; so does the form.
      ...(service === '' || operation === '' ? {} : { operation }),
      ...(Object.keys(tags.tags).length === 0 ? {} : { tags: tags.tags }),
      lookback: lookback.value,
      lookbackMicros: custom ? (endMicros as number) - (startMicros as number) : lookback.micros,
      ...(custom ? { startMicros: startMicros as number, endMicros: endMicros as number } : {}),
      ...(min === '' ? {} : { minDuration: min }),
      ...(max === '' ? {} : { maxDuration: max }),
      limit,
    },
  };
}

/**
 * The query string of `GET /api/traces`, as Jaeger UI sends it: the relative
 * lookback plus the absolute window it means now (microseconds).
 */
export function toApiParams(search: TraceSearch, nowMicros: number): URLSearchParams {
  const params = new URLSearchParams();
  if (search.service !== undefined) params.set('service', search.service);
  if (search.operation !== undefined) params.set('operation', search.operation);
  if (search.tags !== undefined) params.set('tags', JSON.stringify(search.tags));
  const end = search.endMicros ?? nowMicros;
  params.set('start', String(Math.floor(search.startMicros ?? nowMicros - search.lookbackMicros)));
  params.set('end', String(Math.floor(end)));
  params.set('lookback', search.lookback);
  if (search.minDuration !== undefined) params.set('minDuration', search.minDuration);
  if (search.maxDuration !== undefined) params.set('maxDuration', search.maxDuration);
  params.set('limit', String(search.limit));
  return params;
}
