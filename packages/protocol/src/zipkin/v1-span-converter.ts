import type { ZipkinAnnotation, ZipkinEndpoint, ZipkinKind, ZipkinSpan } from './zipkin-wire.js';

/** A Zipkin v1 span (zipkin-api v1): endpoints hang off annotations, not the span. */
export interface V1Annotation {
  readonly timestamp: bigint;
  readonly value: string;
  readonly endpoint: ZipkinEndpoint | undefined;
}

export interface V1BinaryAnnotation {
  readonly key: string;
  /** `undefined` for an address annotation (`ca`, `sa`, `ma` with value `true`). */
  readonly stringValue: string | undefined;
  readonly endpoint: ZipkinEndpoint | undefined;
}

export interface V1Span {
  readonly traceId: string;
  readonly parentId: string;
  readonly id: string;
  readonly name: string;
  /** 0 when absent. */
  readonly timestamp: bigint;
  /** 0 when absent. */
  readonly duration: bigint;
  readonly debug: boolean;
  readonly annotations: readonly V1Annotation[];
  readonly binaryAnnotations: readonly V1BinaryAnnotation[];
}

interface Builder {
  local: ZipkinEndpoint | undefined;
  remote: ZipkinEndpoint | undefined;
  kind: ZipkinKind | undefined;
  timestamp: bigint | undefined;
  duration: bigint | undefined;
  shared: boolean;
  annotations: ZipkinAnnotation[];
  tags: Map<string, string>;
}

/**
 * Converts one v1 span into v2 spans the way Zipkin itself does
 * (zipkin2.v1.V1SpanConverter): one v2 span per local endpoint, so a v1 span
 * that both client and server reported splits into a client span and a
 * `shared` server span; core annotations (cs/sr/ss/cr/ms/mr/ws/wr) become
 * kind, timestamp and duration; `ca`/`sa`/`ma` become remote endpoints.
 */
export function convertV1Span(source: V1Span): ZipkinSpan[] {
  return new Conversion(source).run();
}

class Conversion {
  private readonly first: Builder = newBuilder(undefined);
  private readonly spans: Builder[] = [];
  private cs: V1Annotation | undefined;
  private sr: V1Annotation | undefined;
  private ss: V1Annotation | undefined;
  private cr: V1Annotation | undefined;
  private ms: V1Annotation | undefined;
  private mr: V1Annotation | undefined;
  private ws: V1Annotation | undefined;
  private wr: V1Annotation | undefined;

  constructor(private readonly source: V1Span) {}

  run(): ZipkinSpan[] {
    this.processAnnotations();
    this.processBinaryAnnotations();
    return [this.first, ...this.spans].map((b) => this.build(b));
  }

  private processAnnotations(): void {
    const source = this.source;
    for (const a of source.annotations) {
      const current = this.forEndpoint(a.endpoint);
      // Core annotations need an endpoint; without one they are ordinary events.
      if (a.value.length === 2 && a.endpoint !== undefined) {
        switch (a.value) {
          case 'cs':
            current.kind = 'CLIENT';
            this.cs = a;
            continue;
          case 'sr':
            current.kind = 'SERVER';
            this.sr = a;
            continue;
          case 'ss':
            current.kind = 'SERVER';
            this.ss = a;
            continue;
          case 'cr':
            current.kind = 'CLIENT';
            this.cr = a;
            continue;
          case 'ms':
            current.kind = 'PRODUCER';
            this.ms = a;
            continue;
          case 'mr':
            current.kind = 'CONSUMER';
            this.mr = a;
            continue;
          case 'ws':
            this.ws = a;
            continue;
          case 'wr':
            this.wr = a;
            continue;
        }
      }
      current.annotations.push({ timestamp: a.timestamp, value: a.value });
    }

    // Bridging from an event model can lose the start annotation; the span's own timestamp restores it.
    if (this.cs === undefined && this.endReflectsDuration(this.cr)) {
      this.cs = { timestamp: source.timestamp, value: 'cs', endpoint: this.cr?.endpoint };
    }
    if (this.sr === undefined && this.endReflectsDuration(this.ss)) {
      this.sr = { timestamp: source.timestamp, value: 'sr', endpoint: this.ss?.endpoint };
    }

    const { cs, sr, ss, cr, ms, mr, ws, wr } = this;
    if (cs !== undefined && sr !== undefined) {
      // In a shared span the client side owns the duration.
      this.maybeTimestampDuration(cs, cr);
      const client = this.forEndpoint(cs.endpoint);
      let server: Builder;
      if (sameServiceName(cs.endpoint, sr.endpoint)) {
        // Loopback: the server side needs its own v2 span.
        client.kind = 'CLIENT';
        server = this.newSpan(sr.endpoint);
        server.kind = 'SERVER';
      } else server = this.forEndpoint(sr.endpoint);
      server.shared = true;
      server.timestamp = sr.timestamp;
      if (ss !== undefined) server.duration = ss.timestamp - sr.timestamp;
      if (cr === undefined && source.duration === 0n) client.duration = undefined; // one-way
    } else if (cs !== undefined && cr !== undefined) {
      this.maybeTimestampDuration(cs, cr);
    } else if (sr !== undefined && ss !== undefined) {
      this.maybeTimestampDuration(sr, ss);
    } else {
      this.handleIncompleteRpc();
    }

    // v1 had no shared flag: a server side without the span's own timestamp was the convention for it.
    if (
      cs === undefined &&
      sr !== undefined &&
      (source.timestamp === 0n || (ss !== undefined && source.duration === 0n))
    ) {
      this.forEndpoint(sr.endpoint).shared = true;
    }

    if (ms !== undefined && mr !== undefined) {
      const producer = this.forEndpoint(ms.endpoint);
      let consumer: Builder;
      if (sameServiceName(ms.endpoint, mr.endpoint)) {
        producer.kind = 'PRODUCER';
        consumer = this.newSpan(mr.endpoint);
        consumer.kind = 'CONSUMER';
      } else consumer = this.forEndpoint(mr.endpoint);
      consumer.shared = true;
      if (wr !== undefined) {
        consumer.timestamp = wr.timestamp;
        consumer.duration = mr.timestamp - wr.timestamp;
      } else consumer.timestamp = mr.timestamp;
      producer.timestamp = ms.timestamp;
      producer.duration = ws !== undefined ? ws.timestamp - ms.timestamp : undefined;
    } else if (ms !== undefined) {
      this.maybeTimestampDuration(ms, ws);
    } else if (mr !== undefined) {
      if (wr !== undefined) this.maybeTimestampDuration(wr, mr);
      else this.maybeTimestampDuration(mr, undefined);
    } else {
      if (ws !== undefined)
        this.forEndpoint(ws.endpoint).annotations.push({ timestamp: ws.timestamp, value: ws.value });
      if (wr !== undefined)
        this.forEndpoint(wr.endpoint).annotations.push({ timestamp: wr.timestamp, value: wr.value });
    }
  }

  private handleIncompleteRpc(): void {
    for (const span of [this.first, ...this.spans]) {
      if (span.kind === 'CLIENT') {
        if (this.cs !== undefined) span.timestamp = this.cs.timestamp;
        if (this.cr !== undefined) span.annotations.push({ timestamp: this.cr.timestamp, value: this.cr.value });
      } else if (span.kind === 'SERVER') {
        if (this.sr !== undefined) span.timestamp = this.sr.timestamp;
        if (this.ss !== undefined) span.annotations.push({ timestamp: this.ss.timestamp, value: this.ss.value });
      }
    }
    if (this.source.timestamp !== 0n) {
      this.first.timestamp = this.source.timestamp;
      this.first.duration = this.source.duration;
    }
  }

  private endReflectsDuration(end: V1Annotation | undefined): boolean {
    const { timestamp, duration } = this.source;
    return end !== undefined && timestamp !== 0n && duration !== 0n && timestamp + duration === end.timestamp;
  }

  private maybeTimestampDuration(begin: V1Annotation, end: V1Annotation | undefined): void {
    const span = this.forEndpoint(begin.endpoint);
    if (this.source.timestamp !== 0n && this.source.duration !== 0n) {
      span.timestamp = this.source.timestamp;
      span.duration = this.source.duration;
    } else {
      span.timestamp = begin.timestamp;
      if (end !== undefined) span.duration = end.timestamp - begin.timestamp;
    }
  }

  private processBinaryAnnotations(): void {
    let ca: ZipkinEndpoint | undefined;
    let sa: ZipkinEndpoint | undefined;
    let ma: ZipkinEndpoint | undefined;
    for (const b of this.source.binaryAnnotations) {
      if (b.stringValue === undefined) {
        if (b.key === 'ca') ca = b.endpoint;
        else if (b.key === 'sa') sa = b.endpoint;
        else if (b.key === 'ma') ma = b.endpoint;
        continue;
      }
      const current = this.forEndpoint(b.endpoint);
      if (b.key === 'lc' && b.stringValue === '') continue; // a bare "local component" marker
      current.tags.set(b.key, b.stringValue);
    }

    const { cs, cr, ss, sr, ms, mr } = this;
    if (
      cs === undefined &&
      cr === undefined &&
      ss === undefined &&
      sr === undefined &&
      (ca !== undefined || sa !== undefined)
    ) {
      if (ca !== undefined && sa !== undefined) this.forEndpoint(ca).remote = sa;
      else if (sa !== undefined) this.forEndpoint(undefined).remote = sa;
      else {
        const span = this.forEndpoint(undefined);
        span.kind = 'SERVER';
        span.remote = ca;
      }
      return;
    }

    const server = sr ?? ss;
    if (ca !== undefined && server !== undefined && !sameEndpoint(ca, server.endpoint)) {
      // Finagle's "ca" repeats the server's service name; dropping it avoids a loopback link.
      if (sameServiceName(ca, server.endpoint)) ca = { ...ca, serviceName: '' };
      this.forEndpoint(server.endpoint).remote = ca;
    }
    if (sa !== undefined) {
      if (cs !== undefined) this.forEndpoint(cs.endpoint).remote = sa;
      else if (cr !== undefined) this.forEndpoint(cr.endpoint).remote = sa;
    }
    if (ma !== undefined) {
      if (ms !== undefined) this.forEndpoint(ms.endpoint).remote = ma;
      if (mr !== undefined) this.forEndpoint(mr.endpoint).remote = ma;
    }
  }

  /** The v2 span for an endpoint: the first span takes whatever has no endpoint, and the first endpoint seen. */
  private forEndpoint(endpoint: ZipkinEndpoint | undefined): Builder {
    if (endpoint === undefined) return this.first;
    if (closeEnough(this.first, endpoint)) return this.first;
    for (const span of this.spans) if (closeEnough(span, endpoint)) return span;
    return this.newSpan(endpoint);
  }

  private newSpan(endpoint: ZipkinEndpoint | undefined): Builder {
    const span = newBuilder(endpoint);
    this.spans.push(span);
    return span;
  }

  private build(b: Builder): ZipkinSpan {
    const s = this.source;
    return {
      traceId: s.traceId,
      parentId: s.parentId,
      id: s.id,
      kind: b.kind,
      name: s.name,
      timestamp: b.timestamp !== undefined && b.timestamp > 0n ? b.timestamp : 0n,
      duration: b.duration !== undefined && b.duration > 0n ? b.duration : 0n,
      localEndpoint: b.local,
      remoteEndpoint: b.remote,
      annotations: b.annotations,
      tags: b.tags,
      debug: s.debug,
      shared: b.shared,
    };
  }
}

function newBuilder(local: ZipkinEndpoint | undefined): Builder {
  return {
    local,
    remote: undefined,
    kind: undefined,
    timestamp: undefined,
    duration: undefined,
    shared: false,
    annotations: [],
    tags: new Map(),
  };
}

function closeEnough(builder: Builder, endpoint: ZipkinEndpoint): boolean {
  if (builder.local === undefined) {
    builder.local = endpoint;
    return true;
  }
  return sameServiceName(builder.local, endpoint);
}

function sameServiceName(left: ZipkinEndpoint | undefined, right: ZipkinEndpoint | undefined): boolean {
  return (left?.serviceName ?? '') === (right?.serviceName ?? '');
}

function sameEndpoint(left: ZipkinEndpoint, right: ZipkinEndpoint | undefined): boolean {
  return (
    right !== undefined &&
    left.serviceName === right.serviceName &&
    left.ipv4 === right.ipv4 &&
    left.ipv6 === right.ipv6 &&
    left.port === right.port
  );
}
