import type { Span } from '@ariadne/protocol';
import { ServiceCatalog } from '../query/service-catalog.js';

/** Spans written since the last cut, in memory, indexed by trace id. */
export class Head {
  readonly traces = new Map<string, Span[]>();
  readonly catalog = new ServiceCatalog();
  spanCount = 0;
  readonly createdAt = Date.now();

  add(spans: readonly Span[]): void {
    for (const span of spans) {
      const trace = this.traces.get(span.traceId);
      if (trace === undefined) this.traces.set(span.traceId, [span]);
      else trace.push(span);
      this.catalog.add(span);
    }
    this.spanCount += spans.length;
  }
}
