import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, formatTick, niceTicks, renderLineChart } from './svg-chart.js';

/**
 * A strict enough well-formedness check for what the writer emits: every tag
 * closes in order, attribute values are quoted, and text holds no raw `<` or
 * a `&` that does not start an entity. Throws with the offending spot.
 */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<\?[^>]*\?>/g;
  let last = 0;
  let roots = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    const text = xml.slice(last, match.index);
    assert.ok(!text.includes('<'), `stray < near ${JSON.stringify(xml.slice(last, last + 60))}`);
    assert.ok(!/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(text), `raw & in ${JSON.stringify(text)}`);
    for (const value of (match[3] ?? '').matchAll(/="([^"]*)"/g))
      assert.ok(!/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(value[1]!), `raw & in attribute ${value[1]}`);
    last = match.index + match[0].length;
    if (match[0].startsWith('<?')) continue;
    const [, closing, name, , selfClosing] = match;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  assert.ok(!xml.slice(last).includes('<'), 'stray < at the end');
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'one root element');
}

function seriesPoints(svg: string, name: string): string[] {
  const match = new RegExp(`<polyline class="series" data-series="${escapeXml(name)}"[^>]* points="([^"]*)"`).exec(svg);
  assert.ok(match, `series ${name} is drawn`);
  return match[1] === '' ? [] : match[1]!.split(' ');
}

test('a two-panel chart is well-formed SVG with every series, its points inside the plot', () => {
  const seconds = Array.from({ length: 60 }, (_, i) => i);
  const svg = renderLineChart({
    title: 'Sustained ingest <fresh & resend>',
    xLabel: 'seconds since the load started',
    panels: [
      {
        title: 'acknowledged spans/s',
        series: [
          { name: 'fresh', color: '#1f77b4', points: seconds.map((s) => [s, 90_000 + (s % 5) * 1000]) },
          { name: 'resend "loop"', color: '#ff7f0e', points: seconds.slice(0, 30).map((s) => [s, 70_000]) },
        ],
        references: [{ value: 100_000, label: 'target 100k' }],
      },
      {
        title: 'server RSS (MiB)',
        series: [{ name: 'fresh', color: '#1f77b4', points: seconds.map((s) => [s, 300 + s * 10]) }],
      },
    ],
  });
  assertWellFormed(svg);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.includes('Sustained ingest &#60;fresh &#38; resend&#62;'));
  assert.equal((svg.match(/<g class="panel"/g) ?? []).length, 2);
  assert.equal((svg.match(/<polyline class="series"/g) ?? []).length, 3);
  assert.equal(seriesPoints(svg, 'fresh').length, 60);
  assert.equal(seriesPoints(svg, 'resend "loop"').length, 30);
  assert.equal((svg.match(/class="reference"/g) ?? []).length, 1);
  const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!;
  for (const point of seriesPoints(svg, 'fresh')) {
    const [x, y] = point.split(',').map(Number) as [number, number];
    assert.ok(x >= 0 && x <= Number(width) && y >= 0 && y <= Number(height), `point ${point} inside the picture`);
  }
});

test('the y axis reaches the reference line even when the data stays below it', () => {
  const svg = renderLineChart({
    title: 't',
    xLabel: 'x',
    panels: [
      {
        title: 'p',
        series: [
          {
            name: 's',
            color: 'red',
            points: [
              [0, 10],
              [1, 20],
            ],
          },
        ],
        references: [{ value: 1024, label: 'ceiling' }],
      },
    ],
  });
  assertWellFormed(svg);
  const ys = seriesPoints(svg, 's').map((p) => Number(p.split(',')[1]));
  const reference = Number(/class="reference" x1="[^"]*" y1="([^"]*)"/.exec(svg)![1]);
  assert.ok(
    ys.every((y) => y > reference),
    'the data is drawn below the reference line',
  );
});

test('non-finite points are left out and an empty series still draws', () => {
  const svg = renderLineChart({
    title: 't',
    xLabel: 'x',
    panels: [
      {
        title: 'p',
        series: [
          {
            name: 'gappy',
            color: 'blue',
            points: [
              [0, 1],
              [1, Number.NaN],
              [2, 3],
            ],
          },
          { name: 'none', color: 'green', points: [] },
        ],
      },
    ],
  });
  assertWellFormed(svg);
  assert.equal(seriesPoints(svg, 'gappy').length, 2);
  assert.equal(seriesPoints(svg, 'none').length, 0);
  assert.ok(!svg.includes('NaN'));
});

test('ticks are round and cover the data; labels stay short', () => {
  assert.deepEqual(niceTicks(100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(97_300), [0, 20_000, 40_000, 60_000, 80_000, 100_000]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  const ticks = niceTicks(0.37);
  assert.ok(ticks[ticks.length - 1]! >= 0.37 && ticks.length <= 11);
  assert.equal(formatTick(250_000), '250k');
  assert.equal(formatTick(1_500_000), '1.5M');
  assert.equal(formatTick(600), '600');
});

test('the well-formedness check itself rejects broken documents', () => {
  assert.throws(() => assertWellFormed('<svg><g></svg>'));
  assert.throws(() => assertWellFormed('<svg><text>a & b</text></svg>'));
  assert.throws(() => assertWellFormed('<svg><text>a < b</text></svg>'));
  assert.throws(() => assertWellFormed('<svg a=1></svg>'));
  assert.throws(() => assertWellFormed('<svg></svg><svg></svg>'));
});
