import {
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type SpanStatus,
  StatusCode,
} from '@ariadne/protocol';
import {
  type Span as ApiSpan,
  type SpanStatus as ApiSpanStatus,
  diag,
  type Exception,
  type Link,
  type SpanAttributes,
  type SpanAttributeValue,
  type SpanContext,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api';
import type { SpanProcessor } from '../processing/span-processor.js';
import { isAttributeValue, limitAttributes, type RecentEntries } from './attribute-values.js';
import { isTimeInput, nowNanos, timeInputToNanos } from './clock.js';
import type { SpanLimits } from './span-limits.js';

/** What all spans of one tracer share; one reference per span instead of four. */
export interface SpanOwner {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: SpanLimits;
  readonly processor: SpanProcessor;
  /** Made with `limits.attributeValueLengthLimit`. */
  readonly recentEntries: RecentEntries;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });
const OK_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Ok, message: '' });
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
/** Past this many attributes a key index replaces the linear search for duplicates. */
const INDEX_THRESHOLD = 16;
/** OTLP span flag bits: "has is_remote" and "is_remote" (trace.proto SpanFlags). */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/** OTLP link/span flags for a context: its W3C flags plus whether it came from another process. */
export function flagsOf(context: SpanContext): number {
  return (context.traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (context.isRemote ? FLAG_IS_REMOTE : 0);
}

/**
 * A live span. Attributes are kept as the domain's `KeyValue` list from the
 * start, so ending a span hands that very array on instead of converting a
 * second time. After `end()` every mutator is a no-op.
 */
export class RecordingSpan implements ApiSpan {
  // Fields are `declare`d and set in the constructor: with ES2022 class-field semantics each declared field is
  // first defined as undefined by a separate initializer, then assigned again (bench/sdk: ~10% of a span's start).
  declare name: string;
  declare readonly startTimeUnixNano: bigint;
  /** Empty for a root span. */
  declare readonly parentSpanId: string;
  declare readonly kind: SpanKind;
  /** Whether the trace and span ids are valid (non-zero lowercase hex), so children of this span need not check again. */
  declare readonly hasValidIds: boolean;
  declare private readonly owner: SpanOwner;
  declare private readonly context: SpanContext;
  /** OTLP flags of the span: whether its parent is remote. */
  declare private readonly parentFlags: number;
  declare private readonly attributes: KeyValue[];
  declare private attributeIndex: Map<string, number> | undefined;
  declare private droppedAttributesCount: number;
  declare private events: SpanEvent[] | undefined;
  declare private droppedEventsCount: number;
  declare private links: SpanLink[] | undefined;
  declare private droppedLinksCount: number;
  declare private status: SpanStatus;
  declare private ended: boolean;

  constructor(
    owner: SpanOwner,
    context: SpanContext,
    parentSpanId: string,
    parentFlags: number,
    name: string,
    kind: SpanKind,
    startTime: TimeInput | undefined,
    hasValidIds = true,
  ) {
    this.owner = owner;
    this.context = context;
    this.parentSpanId = parentSpanId;
    this.parentFlags = parentFlags;
    this.name = name;
    this.kind = kind;
    this.hasValidIds = hasValidIds;
    this.startTimeUnixNano = startTime === undefined ? nowNanos() : timeInputToNanos(startTime);
    this.attributes = [];
    this.attributeIndex = undefined;
    this.droppedAttributesCount = 0;
    this.events = undefined;
    this.droppedEventsCount = 0;
    this.links = undefined;
    this.droppedLinksCount = 0;
    this.status = UNSET_STATUS;
    this.ended = false;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: SpanAttributeValue): this {
    if (this.ended || value === undefined || value === null || typeof key !== 'string' || key === '') return this;
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const attributes = this.attributes;
    let at = -1;
    if (this.attributeIndex !== undefined) at = this.attributeIndex.get(key) ?? -1;
    else {
      for (let i = 0; i < attributes.length; i++) {
        if ((attributes[i] as KeyValue).key === key) {
          at = i;
          break;
        }
      }
    }
    const entry = this.owner.recentEntries.entry(at >= 0 ? at : attributes.length, key, value);
    if (at >= 0) {
      attributes[at] = entry;
      return this;
    }
    if (attributes.length >= this.owner.limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    attributes.push(entry);
    if (this.attributeIndex !== undefined) this.attributeIndex.set(key, attributes.length - 1);
    else if (attributes.length > INDEX_THRESHOLD) {
      this.attributeIndex = new Map();
      for (let i = 0; i < attributes.length; i++) this.attributeIndex.set((attributes[i] as KeyValue).key, i);
    }
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    if (this.attributes.length === 0 && !this.ended) return this.initAttributes(attributes);
    for (const key in attributes) {
      // biome-ignore lint/suspicious/noPrototypeBuiltins: in for...in V8 makes hasOwnProperty.call an enum-cache check; Object.hasOwn stays a runtime call
      if (Object.prototype.hasOwnProperty.call(attributes, key))
        this.setAttribute(key, attributes[key] as SpanAttributeValue);
    }
    return this;
  }

  /** The first attributes (usually those given to startSpan): an object's keys are unique, so no search for duplicates. */
  private initAttributes(attributes: SpanAttributes): this {
    const list = this.attributes;
    const limits = this.owner.limits;
    for (const key in attributes) {
      // Object.hasOwn here made this loop about twice as slow (bench/sdk, 10 attributes).
      // biome-ignore lint/suspicious/noPrototypeBuiltins: in for...in V8 makes hasOwnProperty.call an enum-cache check; Object.hasOwn stays a runtime call
      if (!Object.prototype.hasOwnProperty.call(attributes, key) || key === '') continue;
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      if (!isAttributeValue(value)) {
        diag.warn(`Invalid attribute value set for key: ${key}`);
        continue;
      }
      if (list.length >= limits.attributeCountLimit) {
        this.droppedAttributesCount++;
        continue;
      }
      list.push(this.owner.recentEntries.entry(list.length, key, value));
    }
    if (list.length > INDEX_THRESHOLD) {
      this.attributeIndex = new Map();
      for (let i = 0; i < list.length; i++) this.attributeIndex.set((list[i] as KeyValue).key, i);
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    let attributes: SpanAttributes | undefined;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(startTime)) startTime = attributesOrStartTime;
    } else attributes = attributesOrStartTime;
    const limited = limitAttributes(attributes, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    const event: SpanEvent = {
      timeUnixNano: timeInputToNanos(startTime),
      name,
      attributes: limited.attributes,
      droppedAttributesCount: limited.dropped,
    };
    if (this.events === undefined) this.events = [];
    // Like the OTel SDK, the oldest event makes room: the latest are the most telling.
    else if (this.events.length >= limits.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    this.events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (limits.linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    const context = link.context;
    const limited = limitAttributes(
      link.attributes,
      limits.attributePerLinkCountLimit,
      limits.attributeValueLengthLimit,
    );
    const entry: SpanLink = {
      traceId: context.traceId,
      spanId: context.spanId,
      traceState: context.traceState?.serialize() ?? '',
      attributes: limited.attributes,
      droppedAttributesCount: limited.dropped + (link.droppedAttributesCount ?? 0),
      flags: flagsOf(context),
    };
    if (this.links === undefined) this.links = [];
    else if (this.links.length >= limits.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push(entry);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  /** The spec's rules: Unset is ignored, Ok is final, a message only goes with Error. */
  setStatus(status: ApiSpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === StatusCode.Ok) return this;
    if (status.code === SpanStatusCode.OK) this.status = OK_STATUS;
    else if (status.code === SpanStatusCode.ERROR) {
      this.status = { code: StatusCode.Error, message: typeof status.message === 'string' ? status.message : '' };
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  /** An `exception` event with the semantic conventions' exception.type/message/stacktrace. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: SpanAttributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception !== null && typeof exception === 'object') {
      if (exception.code !== undefined && exception.code !== null && exception.code !== '') {
        attributes['exception.type'] = String(exception.code);
      } else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined) {
      this.addEvent('exception', attributes, time);
    } else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId}: end() may only be called once`);
      return;
    }
    this.ended = true;
    let end = endTime === undefined ? nowNanos() : timeInputToNanos(endTime);
    if (end < this.startTimeUnixNano) end = this.startTimeUnixNano;
    const context = this.context;
    const span: Span = {
      traceId: context.traceId,
      spanId: context.spanId,
      parentSpanId: this.parentSpanId,
      traceState: context.traceState?.serialize() ?? '',
      flags: (context.traceFlags & 0xff) | this.parentFlags,
      name: this.name,
      kind: this.kind,
      startTimeUnixNano: this.startTimeUnixNano,
      endTimeUnixNano: end,
      attributes: this.attributes,
      droppedAttributesCount: this.droppedAttributesCount,
      events: this.events ?? NO_EVENTS,
      droppedEventsCount: this.droppedEventsCount,
      links: this.links ?? NO_LINKS,
      droppedLinksCount: this.droppedLinksCount,
      status: this.status,
      resource: this.owner.resource,
      scope: this.owner.scope,
    };
    try {
      this.owner.processor.onEnd(span);
    } catch (error) {
      diag.error('span processor onEnd failed', error);
    }
  }
}
