import type { Resource, Span } from '@ariadne/protocol';
import { ServiceCatalog } from '../query/service-catalog.js';
import { BatchTranscoder } from './batch-transcoder.js';
import { SpanEncoder } from './span-codec.js';

/**
 * Spans written since the last cut, in memory, indexed by trace id, with the
 * WAL records they were encoded into: the cut copies each span's encoded body
 * from its record into the block instead of encoding it again.
 */
export class Head {
  readonly traces = new Map<string, Span[]>();
  /** Per trace, per span (parallel to `traces`): record index, body start, body end in `records`. */
  readonly bodies = new Map<string, number[]>();
  readonly records: Buffer[] = [];
  readonly encoder = new SpanEncoder();
  readonly catalog = new ServiceCatalog();
  spanCount = 0;
  readonly createdAt = Date.now();
  readonly #positions: number[] = [];
  #transcoder: BatchTranscoder | undefined;
  /**
   * The (resource, name, kind) combinations already in the catalog, kinds as
   * bits: the head only lists services and operations (it never removes), so
   * the catalog needs each combination once, not a text key built per span.
   */
  readonly #cataloged = new Map<Resource, Map<string, number>>();

  /**
   * Adds the spans; returns their WAL record (the head's records must reach
   * its segment in this order). With `admit`, only the spans it takes given
   * their content hash (`SpanEncoder.recordAdmitted`); undefined when it
   * takes none.
   */
  add(spans: readonly Span[], admit?: (hash0: number, hash1: number) => boolean): Buffer | undefined {
    const positions = this.#positions;
    positions.length = 0;
    let record: Buffer | undefined;
    if (admit === undefined) record = this.encoder.record(spans, positions);
    else {
      ({ record, kept: spans } = this.encoder.recordAdmitted(spans, positions, admit));
      if (record === undefined) return undefined;
    }
    return this.#index(spans, record);
  }

  /**
   * Adds the spans of a span batch (`pipeline/span-batch.ts`: decode workers
   * made it, with each span's content hash) without encoding them again: the
   * batch's bodies are copied into the head's record, their references
   * rewritten (`BatchTranscoder`), and the head keeps them as `HeadSpan`s,
   * which read their attributes from that record when asked. With `admit`,
   * only the spans it takes given their content hash; undefined when it
   * takes none. Rejects a batch with a trace id that is not one.
   */
  addBatch(batch: Buffer, hashes: Uint32Array, admit?: (hash0: number, hash1: number) => boolean): Buffer | undefined {
    const positions = this.#positions;
    positions.length = 0;
    this.#transcoder ??= new BatchTranscoder(this.encoder);
    const taken =
      admit === undefined ? () => true : (position: number) => admit(hashes[position * 2]!, hashes[position * 2 + 1]!);
    const { record, kept } = this.#transcoder.transcode(batch, taken, positions);
    if (record === undefined) return undefined;
    return this.#index(kept, record);
  }

  /** Indexes spans just written as `record` (their body positions in `#positions`). */
  #index(spans: readonly Span[], record: Buffer): Buffer {
    const positions = this.#positions;
    const recordIndex = this.records.length;
    this.records.push(record);
    let traceId = '';
    let trace: Span[] | undefined;
    let bodies: number[] | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      // Batches hold traces in runs: look the trace up once per run.
      if (span.traceId !== traceId || trace === undefined || bodies === undefined) {
        traceId = span.traceId;
        trace = this.traces.get(traceId);
        bodies = this.bodies.get(traceId);
        if (trace === undefined || bodies === undefined) {
          trace = [];
          bodies = [];
          this.traces.set(traceId, trace);
          this.bodies.set(traceId, bodies);
        }
      }
      trace.push(span);
      bodies.push(recordIndex, positions[i * 2]!, positions[i * 2 + 1]!);
      let names = this.#cataloged.get(span.resource);
      if (names === undefined) {
        names = new Map();
        this.#cataloged.set(span.resource, names);
      }
      const kinds = names.get(span.name) ?? 0;
      if (span.kind > 30 || (kinds & (1 << span.kind)) === 0) {
        names.set(span.name, kinds | (1 << span.kind));
        this.catalog.add(span);
      }
    }
    this.spanCount += spans.length;
    return record;
  }
}
