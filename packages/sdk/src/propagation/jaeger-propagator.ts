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

const HEX_1_32 = /^[0-9a-f]{1,32}$/;
const HEX_1_16 = /^[0-9a-f]{1,16}$/;
const FLAGS = /^[0-9a-f]{1,2}$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';
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

/**
 * `{trace-id}:{span-id}:{parent-span-id}:{flags}` (Jaeger client
 * libraries): ids are hex without leading zeros, 64- or 128-bit trace ids,
 * the parent is deprecated and ignored, flags are hex bits (1 sampled,
 * 2 debug, which implies sampled). The value may arrive URL-encoded.
 */
export function parseUberTraceId(header: string): ParsedUberTraceId | undefined {
  const value = decode(header.trim())?.toLowerCase();
  if (value === undefined) return undefined;
  const parts = value.split(':');
  if (parts.length !== 4) return undefined;
  const rawTrace = parts[0] as string;
  const rawSpan = parts[1] as string;
  const rawFlags = parts[3] as string;
  if (!HEX_1_32.test(rawTrace) || !HEX_1_16.test(rawSpan) || !FLAGS.test(rawFlags)) return undefined;
  const traceId = rawTrace.padStart(32, '0');
  const spanId = rawSpan.padStart(16, '0');
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  const flags = Number.parseInt(rawFlags, 16);
  const debug = (flags & FLAG_DEBUG) !== 0;
  return { traceId, spanId, sampled: debug || (flags & FLAG_SAMPLED) !== 0, debug };
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
