import { DEFAULT_FORM, formToUrl } from './search-params.js';

/** The search page's URL for the traces of one time bucket (a chart point): an absolute window, in UTC. */
export function bucketSearchUrl(bucket: {
  service: string;
  operation: string;
  startMillis: number;
  endMillis: number;
}): string {
  const params = formToUrl({
    ...DEFAULT_FORM,
    service: bucket.service,
    operation: bucket.operation,
    lookback: 'custom',
    from: new Date(bucket.startMillis).toISOString(),
    to: new Date(bucket.endMillis).toISOString(),
    tz: 'utc',
  });
  return `/search?${params}`;
}
