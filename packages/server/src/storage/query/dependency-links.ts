import { type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { DependencyLink } from '../span-store.js';
import { compareText } from './service-catalog.js';

/** Adds up service-to-service calls; `links()` gives them in the contract's order. */
export class DependencyCounter {
  readonly #links = new Map<string, { parent: string; child: string; callCount: number; errorCount: number }>();

  add(parent: string, child: string, calls: number, errors: number): void {
    const key = `${parent}\u0000${child}`;
    const link = this.#links.get(key);
    if (link === undefined) this.#links.set(key, { parent, child, callCount: calls, errorCount: errors });
    else {
      link.callCount += calls;
      link.errorCount += errors;
    }
  }

  links(): DependencyLink[] {
    return [...this.#links.values()].sort((a, b) => compareText(a.parent, b.parent) || compareText(a.child, b.child));
  }
}

/** One call across services: the child span and its parent's service. */
export interface CrossServiceCall {
  readonly child: Span;
  readonly childService: string;
  readonly parentService: string;
}

/**
 * The cross-service parent/child pairs of one trace's spans. With `isNew`,
 * only pairs with at least one new span: the others were counted before.
 */
export function crossServiceCalls(spans: readonly Span[], isNew?: (span: Span) => boolean): CrossServiceCall[] {
  const byId = new Map<string, Span>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const calls: CrossServiceCall[] = [];
  for (const child of spans) {
    if (child.parentSpanId === '') continue;
    const parent = byId.get(child.parentSpanId);
    if (parent === undefined) continue;
    if (isNew !== undefined && !isNew(child) && !isNew(parent)) continue;
    const childService = serviceNameOf(child.resource);
    const parentService = serviceNameOf(parent.resource);
    if (childService !== parentService) calls.push({ child, childService, parentService });
  }
  return calls;
}

export function isErrorSpan(span: Span): boolean {
  return span.status.code === StatusCode.Error;
}
