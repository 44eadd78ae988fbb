import { type Span, type SpanKind, serviceNameOf } from '@ariadne/protocol';
import type { Operation, OperationQuery } from '../span-store.js';

/**
 * Services and their operations, counted by span so that a store which forgets
 * spans (eviction, retention) can forget a service once its last span is gone.
 */
export class ServiceCatalog {
  /** service -> "kind\u0000name" -> span count */
  readonly #services = new Map<string, Map<string, number>>();

  add(span: Span, delta = 1): void {
    const service = serviceNameOf(span.resource);
    const key = `${span.kind}\u0000${span.name}`;
    let operations = this.#services.get(service);
    if (operations === undefined) {
      if (delta < 0) return;
      operations = new Map();
      this.#services.set(service, operations);
    }
    const count = (operations.get(key) ?? 0) + delta;
    if (count > 0) operations.set(key, count);
    else operations.delete(key);
    if (operations.size === 0) this.#services.delete(service);
  }

  remove(span: Span): void {
    this.add(span, -1);
  }

  services(): string[] {
    return [...this.#services.keys()].sort(compareText);
  }

  operations(query: OperationQuery): Operation[] {
    const operations = this.#services.get(query.service);
    if (operations === undefined) return [];
    const out: Operation[] = [];
    for (const key of operations.keys()) {
      const separator = key.indexOf('\u0000');
      const spanKind = Number(key.slice(0, separator)) as SpanKind;
      if (query.spanKind !== undefined && spanKind !== query.spanKind) continue;
      out.push({ name: key.slice(separator + 1), spanKind });
    }
    return sortOperations(out);
  }
}

/** Sorted by name then kind, as `SpanReader.getOperations` promises. */
export function sortOperations(operations: Operation[]): Operation[] {
  return operations.sort((a, b) => compareText(a.name, b.name) || a.spanKind - b.spanKind);
}

/** Code-unit order, the same on every machine (unlike `localeCompare`). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
