import { encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';

/** One OTLP/protobuf request whose spans all belong to one fresh trace. */
export interface UniquePayload {
  readonly id: number;
  readonly traceId: string;
  readonly body: Uint8Array;
  readonly spanCount: number;
}

const PLACEHOLDER = 'feedfacecafebeef0123456789abcdef';

/**
 * Makes any number of distinct OTLP/protobuf requests cheaply: `spans` are
 * encoded once with a placeholder trace id (links dropped, parents kept), and
 * each payload is a copy with a new trace id written over the placeholder's
 * bytes. Overload runs need hundreds of thousands of distinct spans (so every
 * acknowledged one can be counted afterwards) at rates no encoder on a shared
 * machine would keep up with.
 */
export function uniqueOtlpPayloads(spans: readonly Span[], runTag = 0xa11ad4e): (id: number) => UniquePayload {
  const template = encodeOtlpTraceRequestProto(
    spans.map((span) => ({ ...span, traceId: PLACEHOLDER, links: [], droppedLinksCount: 0 })),
  ).slice();
  const needle = Buffer.from(PLACEHOLDER, 'hex');
  const offsets: number[] = [];
  for (let at = Buffer.from(template.buffer, template.byteOffset, template.length).indexOf(needle); at >= 0; ) {
    offsets.push(at);
    at = Buffer.from(template.buffer, template.byteOffset, template.length).indexOf(needle, at + 1);
  }
  if (offsets.length !== spans.length) throw new Error(`found ${offsets.length} trace ids for ${spans.length} spans`);
  const prefix = (runTag >>> 0).toString(16).padStart(8, '0');
  return (id) => {
    const traceId = `${prefix}${id.toString(16).padStart(24, '0')}`;
    const idBytes = Buffer.from(traceId, 'hex');
    const body = template.slice();
    for (const offset of offsets) body.set(idBytes, offset);
    return { id, traceId, body, spanCount: spans.length };
  };
}
