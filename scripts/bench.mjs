// Runs the benchmarks: every `bench/**/*.bench.ts`, or only those whose path
// contains one of the arguments (`npm run bench ingest storage`). Each is a
// standalone script that prints Markdown; they run one after the other (never
// side by side, which would make them measure each other) from TypeScript
// sources, and their output is passed through as it comes.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function findBenchmarks(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findBenchmarks(path, out);
    else if (entry.name.endsWith('.bench.ts')) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const all = findBenchmarks(join(root, 'bench'), []).sort();
const chosen = filters.length === 0 ? all : all.filter((path) => filters.some((filter) => path.includes(filter)));

if (chosen.length === 0) {
  console.error(`no benchmark under bench/ matches ${filters.map((f) => `"${f}"`).join(', ')}`);
  console.error(`available:\n${all.map((path) => `  ${path}`).join('\n')}`);
  process.exit(1);
}

const failed = [];
for (const path of chosen) {
  console.log(`\n## ${path}\n`);
  const result = spawnSync(process.execPath, ['--conditions=ariadne-source', '--import', 'tsx', path], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed.push(`${path} (${result.signal ?? `exit ${result.status}`})`);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that failed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
  process.exitCode = 1;
}
