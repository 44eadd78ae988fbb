import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { setSpanLayer } from '../context/layered-context.js';
import { headerValues, singleHeader } from './header-lookup.js';
import { isInjectable } from './injectable.js';
import { W3cTraceState } from './trace-state.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const HEX_LOWER = /^[0-9a-f]+$/;
/** Nearly every traceparent: version 00, nothing around it. One pass instead of four. */
const TRACEPARENT_00 = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The value of one lowercase hex digit's character code. */
function hexDigit(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

export interface ParsedTraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/**
 * A traceparent value per W3C Trace Context: version 00 must be exactly
 * `00-<32 hex>-<16 hex>-<2 hex>`; a higher version is read by those first
 * four fields and may continue only after another `-` (forward
 * compatibility); version ff, upper-case hex and all-zero ids are invalid.
 */
export function parseTraceParent(header: string): ParsedTraceParent | undefined {
  if (header.length === 55 && TRACEPARENT_00.test(header)) {
    const traceId = header.slice(3, 35);
    const spanId = header.slice(36, 52);
    if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
    // The regular expression vouched for two lowercase hex digits; parseInt would cost a slice and a parse.
    return { traceId, spanId, traceFlags: (hexDigit(header.charCodeAt(53)) << 4) | hexDigit(header.charCodeAt(54)) };
  }
  // The common case (exactly 55 characters, no padding) skips the trimming regex.
  const value = header.length === 55 && header[0] !== ' ' ? header : header.replace(/^[ \t]+|[ \t]+$/g, '');
  if (value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (!HEX_LOWER.test(version) || version === 'ff') return undefined;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return undefined;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!HEX_LOWER.test(traceId) || !HEX_LOWER.test(spanId) || !HEX_LOWER.test(flags)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
}

/**
 * W3C Trace Context level 2 (`traceparent`, `tracestate`). Extraction
 * follows the spec's processing model: an invalid or repeated traceparent
 * leaves the context untouched (a new trace starts), and a tracestate with
 * any invalid member, or more than 32, is discarded whole while the
 * traceparent is kept. Several tracestate headers are joined in order with
 * `,`, as HTTP list headers are; a repeated key is passed on as received.
 */
export class W3cTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isInjectable(context, spanContext)) return;
    setter.set(
      carrier,
      TRACEPARENT,
      `00-${spanContext.traceId}-${spanContext.spanId}-${HEX[spanContext.traceFlags & 0xff]}`,
    );
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = singleHeader(getter, carrier, TRACEPARENT);
    if (header === undefined) return context;
    const parent = parseTraceParent(header);
    if (parent === undefined) return context;
    const states = headerValues(getter, carrier, TRACESTATE);
    const traceState = states.length === 0 ? undefined : W3cTraceState.parse(states.join(','));
    const remote = trace.wrapSpanContext({
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.traceFlags,
      isRemote: true,
      traceState: traceState !== undefined && traceState.size > 0 ? traceState : undefined,
    });
    // trace.setSpanContext, without copying the context's whole Map.
    return setSpanLayer(context, remote);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
