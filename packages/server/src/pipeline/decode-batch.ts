import { AriadneError, type ErrorKind, isAriadneError } from '@ariadne/protocol';
import type { SpanBatch } from '../storage/span-store.js';
import { encodeSpanBatch } from './span-batch.js';
import { SPAN_DECODERS, type SpanDecoderName } from './span-decoders.js';
import { limitSpans, type SpanLimits } from './span-limits.js';
import { validateSpanTimes } from './validate-span-times.js';

/** What a receiver asks of a decode worker. */
export interface DecodeRequest {
  readonly decoder: SpanDecoderName;
  readonly body: Uint8Array;
  readonly limits: SpanLimits;
}

/** A request's spans, decoded, checked, limited and encoded as a span batch. */
export interface DecodedBatch {
  readonly ok: true;
  /** `encodeSpanBatch` of the spans taken (none: no bytes). */
  readonly batch: SpanBatch;
  readonly spanCount: number;
  /** Spans the decoder refused (OTLP partial success), with its message. */
  readonly rejectedSpans: number;
  readonly errorMessage: string;
  /** Attributes dropped past `maxAttributesPerSpan`. */
  readonly droppedAttributes: number;
  /** String and bytes values shortened to `maxAttributeValueLength`. */
  readonly truncatedValues: number;
}

/**
 * Why a request's spans were refused whole. `spanCount` is how many spans
 * decoded (0 when the body did not), so refusals can be counted in spans.
 */
export interface RefusedBatch {
  readonly ok: false;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly spanCount: number;
  readonly rejectedSpans: number;
}

/**
 * The pipeline's work on one request that does not need the store: decode,
 * the request-size limit, span times the stores can keep, the attribute
 * limits, then the bytes the store takes. Pure and synchronous: it runs in a
 * decode worker (or inline), and never throws.
 */
export function decodeBatch(request: DecodeRequest): DecodedBatch | RefusedBatch {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  let decoded: ReturnType<(typeof SPAN_DECODERS)[SpanDecoderName]>;
  try {
    const decode = SPAN_DECODERS[request.decoder];
    if (decode === undefined) throw new AriadneError('Internal', `no span decoder "${request.decoder}"`);
    decoded = decode(body);
  } catch (error) {
    return refused(error, 0, 0);
  }
  const { spans, rejectedSpans, errorMessage } = decoded;
  const maxSpans = request.limits.maxSpansPerRequest ?? Number.POSITIVE_INFINITY;
  if (spans.length > maxSpans) {
    return {
      ok: false,
      kind: 'PayloadTooLarge',
      message: `request carries ${spans.length} spans; the limit is ${maxSpans} per request`,
      spanCount: spans.length,
      rejectedSpans,
    };
  }
  try {
    validateSpanTimes(spans);
    const limited = limitSpans(spans, request.limits);
    return {
      ok: true,
      batch: encodeSpanBatch(limited.spans),
      spanCount: limited.spans.length,
      rejectedSpans,
      errorMessage,
      droppedAttributes: limited.droppedAttributes,
      truncatedValues: limited.truncatedValues,
    };
  } catch (error) {
    return refused(error, spans.length, rejectedSpans);
  }
}

function refused(error: unknown, spanCount: number, rejectedSpans: number): RefusedBatch {
  if (isAriadneError(error)) return { ok: false, kind: error.kind, message: error.message, spanCount, rejectedSpans };
  // A decoder that throws anything else met bytes it did not expect: the client's fault, said plainly.
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, kind: 'InvalidPayload', message, spanCount, rejectedSpans };
}
