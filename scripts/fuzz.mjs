// `npm run fuzz`: the long fuzz run of every decoder (see bench/fuzz/fuzz-cli.ts),
// straight from TypeScript sources. Arguments pass through:
//   npm run fuzz -- --cases 100000 --seed 1 --target otlp-proto --case-seed 123
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const child = spawn(
  process.execPath,
  ['--conditions=ariadne-source', '--import', 'tsx', 'bench/fuzz/fuzz-cli.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  if (signal) console.error(`fuzz run ended by ${signal}`);
  process.exitCode = code ?? 1;
});
