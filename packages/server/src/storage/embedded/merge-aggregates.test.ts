import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@ariadne/protocol';
import { DependencyCounter } from '../query/dependency-links.js';
import { RedAccumulator } from '../query/red-metrics.js';
import { testSpan } from '../query/test-spans.js';
import { AggregatesBuilder, addDependencyCells, addRedCells, decodeAggregates } from './block-aggregates.js';
import { mergeAggregates } from './merge-aggregates.js';

const T0 = 1_767_225_600_000_000_000n;
const range = { startNanos: T0, endNanos: T0 + 3_600_000_000_000n };
const query = {
  services: ['a', 'b', 'c'],
  groupByOperation: true,
  spanKinds: [],
  timeRange: range,
  stepNanos: 60_000_000_000n,
  quantiles: [0.5, 0.9, 0.99],
};

test('merged aggregates answer RED metrics and dependencies as the parts did together', async () => {
  const parts: AggregatesBuilder[] = [new AggregatesBuilder(), new AggregatesBuilder(), new AggregatesBuilder()];
  const services = ['a', 'b', 'c'];
  for (let i = 0; i < 600; i++) {
    const start = T0 + BigInt(i % 97) * 1_000_000_000n;
    const span = testSpan({
      service: services[i % 3]!,
      name: `op${i % 4}`,
      kind: i % 2 === 0 ? SpanKind.Server : SpanKind.Client,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(1_000_000 + ((i * 7919) % 50_000_000)),
      status: { code: i % 11 === 0 ? 2 : 0, message: '' },
    });
    // The same seconds and series land in several parts: their cells must add up.
    parts[i % 3]!.addSpan(span);
    parts[(i + 1) % 3]!.addEdge(services[i % 3]!, services[(i + 1) % 3]!, start, i % 5 === 0);
  }
  const decoded = parts.map((part) => decodeAggregates(Buffer.from(part.encode())));
  const apart = new RedAccumulator(query);
  for (const part of decoded) addRedCells(part, apart);
  const together = new RedAccumulator(query);
  addRedCells(decodeAggregates(await mergeAggregates(decoded)), together);
  assert.deepEqual(together.series(), apart.series());
  const linksApart = new DependencyCounter();
  for (const part of decoded) addDependencyCells(part, range, linksApart);
  const linksTogether = new DependencyCounter();
  addDependencyCells(decodeAggregates(await mergeAggregates(decoded)), range, linksTogether);
  assert.deepEqual(linksTogether.links(), linksApart.links());
  assert.deepEqual(decodeAggregates(await mergeAggregates([])).cellSecond.length, 0);
});
