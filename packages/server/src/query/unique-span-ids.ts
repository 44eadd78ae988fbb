import { createHash } from 'node:crypto';
import {
  type AnyValue,
  anyValueToString,
  findAttribute,
  type Span,
  SpanKind,
  serviceNameOf,
  stringValue,
} from '@ariadne/protocol';
import { SpanIds } from './trace-view/span-ids.js';

/** Where a span whose id was changed on the way out keeps the id it was stored with. */
export const ORIGINAL_SPAN_ID_ATTRIBUTE = 'zipkin.original_span_id';

/**
 * How the spans of one trace read with unique ids (`planUniqueSpanIds`). A
 * plan is made from the whole trace and applies to any of its spans, so that
 * one span looked up alone reads as it does in the whole trace.
 */
export interface SpanIdPlan {
  /** True when every span id of the trace was unique already: `adjust` changes nothing. */
  readonly empty: boolean;
  /** The stored id of the span this plan gives `spanId`; undefined when `spanId` is not an id it made. */
  originalOf(spanId: string): string | undefined;
  /**
   * The span as it reads with unique ids: its own id and parent changed when
   * the plan changes them, the original id in `ORIGINAL_SPAN_ID_ATTRIBUTE`
   * when its id changed. A span the plan was not made from comes back as it is.
   */
  adjust(span: Span): Span;
}

/**
 * Zipkin's client and server halves of one RPC share a span id (B3's default;
 * Brave and py_zipkin's v1 spans), and a child of that id could hang under
 * either. Jaeger's UI, Grafana's trace view and ours need every id once, so
 * this does at read time what Jaeger's query does (its span-id deduper, now
 * `ZipkinSpanIDUniquifier`): among the spans that share an id, the client half
 * keeps it and the server half gets a new id and the client half as its
 * parent; the children of the shared id hang under the server half, whose
 * work they are. What it does beyond Jaeger, and why:
 *
 * - The new id is not Jaeger's "largest id in the trace plus one", which
 *   changes when a span with a larger id arrives: it is a hash of the trace
 *   id, the shared id and the half's service, start and name, so a span
 *   details URL names the same span on every read. It never collides with
 *   an id of the trace (the next hash is taken).
 * - The original id stays visible as the `ORIGINAL_SPAN_ID_ATTRIBUTE` tag.
 * - Which half keeps the id is decided by content, not store order: a client
 *   or producer span not marked `zipkin.shared` first, then other unmarked
 *   spans, then shared ones; ties by start, service, name, end and content.
 * - Several server halves (a call through a proxy that kept the id): each
 *   gets its own id, and a child goes under the half of its own service
 *   (else under the client half when that is its service, else the first half).
 * - Spans that share an id without being two halves of a call (a broken
 *   client reusing ids) get new ids too, keeping their parents: ids must be
 *   unique whatever the cause. Their children stay with the span that kept
 *   the id, as nothing tells them apart.
 *
 * Links (Jaeger's FOLLOWS_FROM references) to a shared id are left as they are.
 */
export function planUniqueSpanIds(spans: readonly Span[]): SpanIdPlan {
  const ids = new SpanIds(spans.map((span) => span.spanId));
  const repeated = new Map<string, Span[]>();
  for (let i = 0; i < spans.length; i++) {
    const first = ids.keep(i);
    if (first === i) continue;
    const span = spans[i] as Span;
    let group = repeated.get(span.spanId);
    if (group === undefined) {
      group = [spans[first] as Span];
      repeated.set(span.spanId, group);
    }
    group.push(span);
  }
  if (repeated.size === 0) return EMPTY_PLAN;

  const traceId = (spans[0] as Span).traceId;
  const taken = new Set(spans.map((span) => span.spanId));
  const groups = new Map<string, GroupPlan>();
  const made = new Map<string, string>();
  // In id order, so that a hash taken by one group's span is taken the same way on every read.
  for (const id of [...repeated.keys()].sort()) {
    const members = (repeated.get(id) as Span[]).map((span) => ({ span, key: memberKey(span) }));
    members.sort((a, b) => compareMembers(a.span, b.span) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const owner = members[0] as { span: Span; key: string };
    const group: GroupPlan = { assignments: new Map(), halves: [], ownerService: serviceNameOf(owner.span.resource) };
    group.assignments.set(owner.key, { spanId: id, parentSpanId: undefined, original: undefined });
    for (const { span, key } of members.slice(1)) {
      if (group.assignments.has(key)) continue; // equal in every field compared: nothing can tell them apart
      const service = serviceNameOf(span.resource);
      const newId = freshId(`${traceId}/${id}/${service}/${span.startTimeUnixNano}/${span.name}`, taken);
      taken.add(newId);
      made.set(newId, id);
      const half = isServerHalf(span, owner.span);
      group.assignments.set(key, { spanId: newId, parentSpanId: half ? id : undefined, original: id });
      if (half) group.halves.push({ spanId: newId, service });
    }
    groups.set(id, group);
  }

  return {
    empty: false,
    originalOf: (spanId) => made.get(spanId),
    adjust(span) {
      let spanId = span.spanId;
      let parentSpanId = span.parentSpanId;
      let original: string | undefined;
      const assignment = groups.get(span.spanId)?.assignments.get(memberKey(span));
      if (assignment !== undefined) {
        spanId = assignment.spanId;
        original = assignment.original;
      }
      if (assignment?.parentSpanId !== undefined) parentSpanId = assignment.parentSpanId;
      else {
        const parentGroup = groups.get(span.parentSpanId);
        if (parentGroup !== undefined)
          parentSpanId = parentOf(parentGroup, span.parentSpanId, serviceNameOf(span.resource));
      }
      if (spanId === span.spanId && parentSpanId === span.parentSpanId) return span;
      return {
        ...span,
        spanId,
        parentSpanId,
        attributes:
          original === undefined
            ? span.attributes
            : [...span.attributes, { key: ORIGINAL_SPAN_ID_ATTRIBUTE, value: stringValue(original) }],
      };
    },
  };
}

/** The spans of one trace with unique ids (`planUniqueSpanIds`); the array itself when they were. */
export function uniqueSpanIds(spans: Span[]): Span[] {
  const plan = planUniqueSpanIds(spans);
  return plan.empty ? spans : spans.map((span) => plan.adjust(span));
}

interface Assignment {
  readonly spanId: string;
  /** Set for a server half (its client half); undefined: the parent as stored, or as the parent's group says. */
  readonly parentSpanId: string | undefined;
  /** The stored id, when it changed. */
  readonly original: string | undefined;
}

interface GroupPlan {
  /** By `memberKey`. */
  readonly assignments: Map<string, Assignment>;
  /** Server halves under the span that kept the id, in member order. */
  readonly halves: { readonly spanId: string; readonly service: string }[];
  readonly ownerService: string;
}

const EMPTY_PLAN: SpanIdPlan = Object.freeze({
  empty: true,
  originalOf: () => undefined,
  adjust: (span: Span) => span,
});

/** The parent a child of a shared id reads with: a server half, its service's if any. */
function parentOf(group: GroupPlan, sharedId: string, childService: string): string {
  const { halves } = group;
  if (halves.length === 0) return sharedId;
  const own = halves.find((half) => half.service === childService);
  if (own !== undefined) return own.spanId;
  return group.ownerService === childService ? sharedId : (halves[0] as { spanId: string }).spanId;
}

function isShared(span: Span): boolean {
  const value = findAttribute(span.attributes, 'zipkin.shared');
  return (value?.type === 'bool' && value.value) || (value?.type === 'string' && value.value === 'true');
}

const callerKinds = new Set([SpanKind.Client, SpanKind.Producer]);
const calleeKinds = new Set([SpanKind.Server, SpanKind.Consumer]);

/** The callee's side of the call whose caller's side kept the id. */
function isServerHalf(span: Span, owner: Span): boolean {
  if (isShared(owner)) return false;
  return isShared(span) || (callerKinds.has(owner.kind) && calleeKinds.has(span.kind));
}

/** 0: a caller's side, which keeps a shared id; 1: any other unmarked span; 2: marked shared. */
function ownership(span: Span): number {
  if (isShared(span)) return 2;
  return callerKinds.has(span.kind) ? 0 : 1;
}

function compareMembers(a: Span, b: Span): number {
  return (
    ownership(a) - ownership(b) ||
    compareBigInt(a.startTimeUnixNano, b.startTimeUnixNano) ||
    compareText(serviceNameOf(a.resource), serviceNameOf(b.resource)) ||
    compareText(a.name, b.name) ||
    compareBigInt(a.endTimeUnixNano, b.endTimeUnixNano)
  );
}

const compareBigInt = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What tells apart spans that share an id, from fields a store gives back the
 * same however it reads the span (whole trace or one span), written out field
 * by field rather than as the object's JSON, whose key order is the reader's.
 */
function memberKey(span: Span): string {
  const parts = [
    serviceNameOf(span.resource),
    String(span.kind),
    String(span.startTimeUnixNano),
    String(span.endTimeUnixNano),
    span.name,
    span.parentSpanId,
    String(span.status.code),
    span.status.message,
    String(span.flags),
    span.traceState,
  ];
  for (const kv of span.attributes) parts.push(kv.key, valueText(kv.value));
  for (const event of span.events) parts.push(String(event.timeUnixNano), event.name);
  for (const link of span.links) parts.push(link.traceId, link.spanId);
  return parts.join('\u0000');
}

function valueText(value: AnyValue): string {
  return `${value.type}:${anyValueToString(value)}`;
}

/** 16 hex digits from a hash of `seed`, not zero and not in `taken`. */
function freshId(seed: string, taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt++) {
    const id = createHash('sha256').update(`${seed}/${attempt}`).digest('hex').slice(0, 16);
    if (id !== '0000000000000000' && !taken.has(id)) return id;
  }
}
