/** How times are shown and typed on the search page. */
export type TimeZoneChoice = 'local' | 'utc';

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` input value (minutes), in the chosen zone; '' for no valid instant. */
export function instantToInput(iso: string, zone: TimeZoneChoice): string {
  const millis = Date.parse(iso);
  if (!Number.isFinite(millis)) return '';
  const d = new Date(millis);
  if (zone === 'utc') return d.toISOString().slice(0, 16);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value read in the chosen zone, as an ISO instant; '' when it is not a time. */
export function inputToInstant(text: string, zone: TimeZoneChoice): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) return '';
  const millis = zone === 'utc' ? Date.parse(`${text}Z`) : new Date(text).getTime();
  return Number.isFinite(millis) ? new Date(millis).toISOString() : '';
}

/** A timestamp (microseconds) in the chosen zone, to the second, with the zone named when UTC. */
export function formatInZone(micros: number, zone: TimeZoneChoice): string {
  const d = new Date(micros / 1000);
  if (zone === 'utc') return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
