import {
  type Attributes,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  type SpanEvent,
  SpanKind,
  type SpanLink,
  StatusCode,
} from '@ariadne/protocol';
import { SeededRandom } from './random.js';

/**
 * The standard workload every Ariadne benchmark uses (ingest, storage, query,
 * UI), defined once so that figures are comparable:
 * - traces of 5 to 50 spans (mean 20, a triangular draw with mode 5) across 8
 *   services and 60 operations;
 * - each span with 10 custom attributes of 20-character strings plus HTTP
 *   (server and client spans) or DB (database client spans) semantic attributes;
 * - 10% of spans carry 1 to 3 events, 2% of spans are errors, 5% of traces link
 *   to another trace;
 * - a seeded generator: the same options give the same spans, byte for byte.
 *
 * Attribute values are drawn from a fixed vocabulary per key (1,000 values of
 * 20 random characters each) rather than being fresh random text per span:
 * real attribute values repeat (routes, user agents, statements, regions), and
 * a workload of incompressible noise would measure nothing a store could win
 * or lose on. The vocabulary size is an option for harsher runs.
 */
export interface StandardWorkloadOptions {
  readonly seed?: number;
  /** Start time of the first trace, in nanoseconds since the epoch. */
  readonly startTimeUnixNano?: bigint;
  /** Time between the starts of consecutive traces. */
  readonly traceIntervalNanos?: bigint;
  /** Distinct values per custom attribute key. */
  readonly valuesPerAttribute?: number;
}

export const WORKLOAD_SERVICES = [
  'frontend',
  'checkout',
  'cart',
  'payment',
  'inventory',
  'shipping',
  'users',
  'recommendation',
] as const;

const SPAN_KINDS = [SpanKind.Server, SpanKind.Client, SpanKind.Internal, SpanKind.Producer, SpanKind.Consumer];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const DB_SYSTEMS = ['postgresql', 'redis', 'mysql'];

interface OperationShape {
  readonly service: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly isDatabase: boolean;
}

export class StandardWorkload {
  private readonly random: SeededRandom;
  private readonly resources: Resource[];
  private readonly scope: InstrumentationScope;
  private readonly operations: OperationShape[];
  private readonly vocabulary: string[][];
  private readonly attributeKeys: string[];
  private nextStart: bigint;
  private readonly interval: bigint;
  private previousTraceId = '';
  private previousSpanId = '';

  constructor(options: StandardWorkloadOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 42);
    this.nextStart = options.startTimeUnixNano ?? 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
    this.interval = options.traceIntervalNanos ?? 10_000_000n;
    const vocabularySize = options.valuesPerAttribute ?? 1000;
    this.attributeKeys = Array.from({ length: 10 }, (_, i) => `app.attribute_${i}`);
    this.vocabulary = this.attributeKeys.map(() => Array.from({ length: vocabularySize }, () => this.random.word(20)));
    this.resources = WORKLOAD_SERVICES.map((service, i) => ({
      attributes: [
        str('service.name', service),
        str('service.version', `1.${i}.0`),
        str('host.name', `${service}-7f9c${i}`),
        str('telemetry.sdk.language', 'nodejs'),
      ],
      droppedAttributesCount: 0,
    }));
    this.scope = { name: 'ariadne-workload', version: '1.0.0', attributes: [], droppedAttributesCount: 0 };
    // 60 operations spread over the 8 services, each with a fixed kind.
    this.operations = Array.from({ length: 60 }, (_, i) => {
      const service = i % WORKLOAD_SERVICES.length;
      const kind = SPAN_KINDS[i % SPAN_KINDS.length] as SpanKind;
      const isDatabase = kind === SpanKind.Client && i % 2 === 0;
      const name = isDatabase
        ? `${DB_SYSTEMS[i % DB_SYSTEMS.length]} SELECT ${WORKLOAD_SERVICES[service]}_${i}`
        : `${HTTP_METHODS[i % HTTP_METHODS.length]} /${WORKLOAD_SERVICES[service]}/op${i}`;
      return { service, name, kind, isDatabase };
    });
  }

  /** The next trace, its spans parent-first. */
  nextTrace(): Span[] {
    const random = this.random;
    const traceId = random.hex(16);
    // A triangular draw on [5, 50] with its mode at 5 has mean (5 + 50 + 5) / 3 = 20:
    // many small traces, a long tail of large ones.
    const spanCount = Math.min(50, 5 + Math.floor(46 * (1 - Math.sqrt(1 - random.next()))));
    const traceStart = this.nextStart;
    this.nextStart += this.interval;
    const link =
      this.previousTraceId !== '' && random.chance(0.05)
        ? { traceId: this.previousTraceId, spanId: this.previousSpanId }
        : undefined;

    const spans: Span[] = [];
    const ends: bigint[] = [];
    for (let i = 0; i < spanCount; i++) {
      const parentIndex = i === 0 ? -1 : random.int(Math.max(0, i - 6), i - 1);
      const parent = parentIndex >= 0 ? spans[parentIndex] : undefined;
      const operation = i === 0 ? this.operations[random.int(0, 7) * 5]! : random.pick(this.operations);
      const parentStart = parent ? parent.startTimeUnixNano : traceStart;
      const start = parentStart + BigInt(random.int(0, 2_000_000));
      const duration = BigInt(random.int(50_000, i === 0 ? 900_000_000 : 200_000_000));
      const isError = random.chance(0.02);
      const spanId = random.hex(8);
      const span: Span = {
        traceId,
        spanId,
        parentSpanId: parent ? parent.spanId : '',
        traceState: '',
        flags: 1,
        name: operation.name,
        kind: operation.kind,
        startTimeUnixNano: start,
        endTimeUnixNano: start + duration,
        attributes: this.attributesFor(operation, isError),
        droppedAttributesCount: 0,
        events: random.chance(0.1) ? this.eventsFor(start, duration) : [],
        droppedEventsCount: 0,
        links: i === 0 && link ? [this.linkTo(link.traceId, link.spanId)] : [],
        droppedLinksCount: 0,
        status: isError
          ? { code: StatusCode.Error, message: 'upstream failed' }
          : { code: StatusCode.Unset, message: '' },
        resource: this.resources[operation.service]!,
        scope: this.scope,
      };
      spans.push(span);
      ends.push(start + duration);
    }
    this.previousTraceId = traceId;
    this.previousSpanId = spans[0]!.spanId;
    return spans;
  }

  /** At least `spanCount` spans, in whole traces. */
  spans(spanCount: number): Span[] {
    const out: Span[] = [];
    while (out.length < spanCount) for (const span of this.nextTrace()) out.push(span);
    return out;
  }

  private attributesFor(operation: OperationShape, isError: boolean): Attributes {
    const random = this.random;
    const attributes: KeyValue[] = this.attributeKeys.map((key, i) => str(key, random.pick(this.vocabulary[i]!)));
    if (operation.isDatabase) {
      attributes.push(
        str('db.system', DB_SYSTEMS[operation.service % DB_SYSTEMS.length]!),
        str('db.statement', `SELECT * FROM ${WORKLOAD_SERVICES[operation.service]} WHERE id = ?`),
        str('server.address', `db-${operation.service}.internal`),
      );
    } else if (operation.kind === SpanKind.Server || operation.kind === SpanKind.Client) {
      const [method, route] = operation.name.split(' ') as [string, string];
      attributes.push(
        str('http.request.method', method),
        str('http.route', route),
        int('http.response.status_code', isError ? 500 : random.chance(0.05) ? 404 : 200),
        str('url.scheme', 'http'),
      );
    }
    return attributes;
  }

  private eventsFor(start: bigint, duration: bigint): SpanEvent[] {
    const count = this.random.int(1, 3);
    return Array.from({ length: count }, (_, i) => ({
      timeUnixNano: start + (duration * BigInt(i + 1)) / BigInt(count + 1),
      name: this.random.pick(['cache miss', 'retry', 'message received', 'exception']),
      attributes: [str('event.detail', this.random.pick(this.vocabulary[0]!))],
      droppedAttributesCount: 0,
    }));
  }

  private linkTo(traceId: string, spanId: string): SpanLink {
    return { traceId, spanId, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 1 };
  }
}

function str(key: string, value: string): KeyValue {
  return { key, value: { type: 'string', value } };
}

function int(key: string, value: number): KeyValue {
  return { key, value: { type: 'int', value: BigInt(value) } };
}
