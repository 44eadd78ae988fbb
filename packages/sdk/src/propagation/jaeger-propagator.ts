import {
  type BaggageEntry,
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { setSpanLayer } from '../context/layered-context.js';
import { DEBUG_FLAG_KEY, isDebug, JAEGER_DEBUG_ID_KEY } from './debug-context.js';
import { firstHeader } from './header-lookup.js';
import { isInjectable } from './injectable.js';

export const UBER_TRACE_ID = 'uber-trace-id';
export const UBER_BAGGAGE_PREFIX = 'uberctx-';
export const JAEGER_DEBUG_ID = 'jaeger-debug-id';

const FLAG_SAMPLED = 1;
const FLAG_DEBUG = 2;

export interface JaegerPropagatorOptions {
  /** Default `uber-trace-id`. */
  readonly traceHeader?: string;
  /** Default `uberctx-`. */
  readonly baggagePrefix?: string;
}

export interface ParsedUberTraceId {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly debug: boolean;
}

function decode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Whether `value[from, to)` is 1 to `max` lowercase hex digits, not all zero, read in place. */
function isNonZeroHex(value: string, from: number, to: number, max: number): boolean {
  if (to <= from || to - from > max) return false;
  let nonZero = false;
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if ((code >= 49 && code <= 57) || (code >= 97 && code <= 102)) nonZero = true;
    else if (code !== 48) return false;
  }
  return nonZero;
}

/** The value of 1 or 2 lowercase hex digits at `value[from, to)`, or -1. */
function hexByte(value: string, from: number, to: number): number {
  if (to <= from || to - from > 2) return -1;
  let out = 0;
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1;
    if (digit < 0) return -1;
    out = (out << 4) | digit;
  }
  return out;
}

/**
 * `{trace-id}:{span-id}:{parent-span-id}:{flags}` (Jaeger client
 * libraries): ids are hex without leading zeros, 64- or 128-bit trace ids,
 * the parent is deprecated and ignored, flags are hex bits (1 sampled,
 * 2 debug, which implies sampled). The value may arrive URL-encoded.
 * Read in place by position: `split` and a regular expression per field
 * were most of the cost of an extract (bench/sdk).
 */
export function parseUberTraceId(header: string): ParsedUberTraceId | undefined {
  const value = decode(header.trim())?.toLowerCase();
  if (value === undefined) return undefined;
  const first = value.indexOf(':');
  const second = first < 0 ? -1 : value.indexOf(':', first + 1);
  const third = second < 0 ? -1 : value.indexOf(':', second + 1);
  if (third < 0 || value.indexOf(':', third + 1) >= 0) return undefined;
  if (!isNonZeroHex(value, 0, first, 32) || !isNonZeroHex(value, first + 1, second, 16)) return undefined;
  const flags = hexByte(value, third + 1, value.length);
  if (flags < 0) return undefined;
  const rawSpan = value.slice(first + 1, second);
  const debug = (flags & FLAG_DEBUG) !== 0;
  return {
    traceId: first === 32 ? value.slice(0, 32) : value.slice(0, first).padStart(32, '0'),
    spanId: rawSpan.length === 16 ? rawSpan : rawSpan.padStart(16, '0'),
    sampled: debug || (flags & FLAG_SAMPLED) !== 0,
    debug,
  };
}

/**
 * Jaeger's native propagation: `uber-trace-id`, `uberctx-<key>` baggage
 * (URL-encoded values), and `jaeger-debug-id`, which (when no trace comes
 * with it) makes the next root span sampled, debug, and tagged with the id.
 */
export class JaegerPropagator implements TextMapPropagator {
  private readonly traceHeader: string;
  private readonly baggagePrefix: string;

  constructor(options: JaegerPropagatorOptions = {}) {
    this.traceHeader = (options.traceHeader ?? UBER_TRACE_ID).toLowerCase();
    this.baggagePrefix = (options.baggagePrefix ?? UBER_BAGGAGE_PREFIX).toLowerCase();
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext !== undefined && isInjectable(context, spanContext)) {
      const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;
      const flags = isDebug(context) && sampled ? FLAG_SAMPLED | FLAG_DEBUG : sampled ? FLAG_SAMPLED : 0;
      setter.set(carrier, this.traceHeader, `${spanContext.traceId}:${spanContext.spanId}:0:${flags}`);
    }
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined) return;
    for (const [key, entry] of baggage.getAllEntries()) {
      setter.set(carrier, `${this.baggagePrefix}${key}`, encodeURIComponent(entry.value));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    const header = firstHeader(getter, carrier, this.traceHeader);
    const parsed = header === undefined ? undefined : parseUberTraceId(header);
    if (parsed !== undefined) {
      result = setSpanLayer(
        result,
        trace.wrapSpanContext({
          traceId: parsed.traceId,
          spanId: parsed.spanId,
          traceFlags: parsed.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        }),
      );
      if (parsed.debug) result = result.setValue(DEBUG_FLAG_KEY, true);
    } else {
      const debugId = firstHeader(getter, carrier, JAEGER_DEBUG_ID)?.trim();
      const decoded = debugId === undefined ? undefined : decode(debugId);
      if (decoded) result = result.setValue(JAEGER_DEBUG_ID_KEY, decoded).setValue(DEBUG_FLAG_KEY, true);
    }
    const entries: Record<string, BaggageEntry> = {};
    let found = false;
    for (const key of getter.keys(carrier)) {
      const lower = key.toLowerCase();
      if (!lower.startsWith(this.baggagePrefix) || lower.length === this.baggagePrefix.length) continue;
      const raw = getter.get(carrier, key);
      const value = decode(Array.isArray(raw) ? raw.join(',') : (raw ?? ''));
      if (value === undefined) continue;
      entries[lower.slice(this.baggagePrefix.length)] = { value };
      found = true;
    }
    if (found) {
      const existing = propagation.getBaggage(result);
      let baggage = existing ?? propagation.createBaggage();
      for (const [key, entry] of Object.entries(entries)) baggage = baggage.setEntry(key, entry);
      result = propagation.setBaggage(result, baggage);
    }
    return result;
  }

  fields(): string[] {
    return [this.traceHeader, JAEGER_DEBUG_ID];
  }
}
