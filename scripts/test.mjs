// Runs every test in the repo with Node's test runner, TypeScript through tsx,
// workspace packages resolved to their sources (the `ariadne-source` condition).
// Tests sit beside the code they test (`*.test.ts`); whole-system tests live in
// `tests/`. Extra arguments are passed through (e.g. a file or --test-name-pattern).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'tests', 'examples', 'bench'];

function findTests(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(relative(root, path));
  }
  return out;
}

const passthrough = process.argv.slice(2);
const files = passthrough.some((a) => !a.startsWith('-'))
  ? []
  : roots.flatMap((r) => findTests(join(root, r), [])).sort();

const child = spawn(
  process.execPath,
  [
    '--conditions=ariadne-source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 300000}`,
    ...passthrough,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
