import {
  type BaggageEntry,
  baggageEntryMetadataFromString,
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { headerValues } from './header-lookup.js';

export const BAGGAGE = 'baggage';
/** The W3C Baggage grammar's limits: 180 list-members, 8192 bytes per header. */
export const MAX_BAGGAGE_MEMBERS = 180;
export const MAX_BAGGAGE_BYTES = 8192;

/** RFC 7230 token: the grammar of baggage keys and property keys. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** baggage-octet, after percent-decoding is undone: what may appear raw in a value. */
const RAW_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/** Percent-encodes what `baggage-octet` does not allow (and `%` itself), nothing more. */
export function encodeBaggageValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseMember(raw: string): [string, BaggageEntry] | undefined {
  const semicolon = raw.indexOf(';');
  const pair = semicolon < 0 ? raw : raw.slice(0, semicolon);
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const key = pair.slice(0, eq).replace(OWS, '');
  const encoded = pair.slice(eq + 1).replace(OWS, '');
  if (!TOKEN.test(key) || !RAW_VALUE.test(encoded)) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const entry: BaggageEntry = { value };
  if (semicolon >= 0) {
    const properties = raw.slice(semicolon + 1);
    for (const property of properties.split(';')) {
      const p = property.replace(OWS, '');
      const pe = p.indexOf('=');
      const pk = (pe < 0 ? p : p.slice(0, pe)).replace(OWS, '');
      if (!TOKEN.test(pk)) return undefined;
      if (pe >= 0 && !RAW_VALUE.test(p.slice(pe + 1).replace(OWS, ''))) return undefined;
    }
    entry.metadata = baggageEntryMetadataFromString(properties.replace(OWS, ''));
  }
  return [key, entry];
}

/**
 * W3C Baggage. Extraction joins repeated headers, skips members that do not
 * follow the grammar (the rest of the header still counts), percent-decodes
 * values, keeps properties as the entry's metadata, and stops at 180 members
 * or 8192 bytes. Injection writes members in order while the header stays
 * within those limits; a member that would overflow them is left out.
 */
export class W3cBaggagePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined) return;
    let header = '';
    let count = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (count >= MAX_BAGGAGE_MEMBERS) break;
      if (!TOKEN.test(key)) continue;
      let member = `${key}=${encodeBaggageValue(entry.value)}`;
      const metadata = entry.metadata?.toString();
      if (metadata) member += `;${metadata}`;
      const next = header === '' ? member : `${header},${member}`;
      if (Buffer.byteLength(next) > MAX_BAGGAGE_BYTES) continue;
      header = next;
      count++;
    }
    if (header !== '') setter.set(carrier, BAGGAGE, header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const values = headerValues(getter, carrier, BAGGAGE);
    if (values.length === 0) return context;
    const header = values.join(',');
    const entries: Record<string, BaggageEntry> = {};
    let count = 0;
    let bytes = 0;
    for (const raw of header.split(',')) {
      const trimmed = raw.replace(OWS, '');
      if (trimmed === '') continue;
      bytes += Buffer.byteLength(trimmed) + (count > 0 ? 1 : 0);
      if (count >= MAX_BAGGAGE_MEMBERS || bytes > MAX_BAGGAGE_BYTES) break;
      const member = parseMember(trimmed);
      if (member === undefined) continue;
      entries[member[0]] = member[1];
      count++;
    }
    if (count === 0) return context;
    return propagation.setBaggage(context, propagation.createBaggage(entries));
  }

  fields(): string[] {
    return [BAGGAGE];
  }
}
