import type { Span } from '../model/span.js';

/**
 * What an OTLP trace request decodes to. Spans with invalid ids are left out
 * and counted (OTLP's partial success); `errorMessage` names the first reason
 * and is empty when nothing was rejected.
 */
export interface DecodedSpans {
  spans: Span[];
  rejectedSpans: number;
  errorMessage: string;
}

/** OTLP's ExportTracePartialSuccess, as both response encoders take it. */
export interface OtlpPartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}
