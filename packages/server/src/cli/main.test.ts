import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { main } from './main.js';

/** Runs `main` with stdout captured; the version and help paths write before their first await. */
async function mainPrints(args: string[]): Promise<{ code: number; printed: string }> {
  let printed = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  let pending: Promise<number>;
  try {
    pending = main(args);
  } finally {
    process.stdout.write = write;
  }
  return { code: await pending, printed };
}

test('ariadne --version prints the version of @ariadne/server', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-v', 'version']) {
    assert.deepEqual(await mainPrints([flag]), { code: 0, printed: `${version}\n` }, flag);
  }
});

test('ariadne --help names --version', async () => {
  const { code, printed } = await mainPrints(['--help']);
  assert.equal(code, 0);
  assert.match(printed, /--version/);
});
