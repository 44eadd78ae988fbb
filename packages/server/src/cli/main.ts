import { createRequire } from 'node:module';
import { isAriadneError } from '@ariadne/protocol';
import { runServe } from './serve-command.js';
import { runToken } from './token-command.js';

const HELP = `Usage: ariadne <command> [options]

Commands:
  serve     run the all-in-one server (receivers, storage, query APIs, web UI)
  collector run receivers, pipeline and writer only, into a shared ClickHouse
  query     run the web UI and query APIs only, over a shared ClickHouse
  token     make access tokens for \`serve --auth\` (token create ...)

Options:
  -v, --version   print the version of @ariadne/server and exit
  -h, --help      show this help

Run "ariadne <command> --help" for a command's options.
`;

/** @ariadne/server's version, from its package.json (two folders up from both src/cli and dist/cli). */
export function serverVersion(): string {
  const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };
  return manifest.version;
}

/** The `ariadne` command. Resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest);
      case 'collector':
      case 'query':
        return await runServe(rest, command);
      case 'token':
        return await runToken(rest);
      case 'version':
      case '--version':
      case '-v':
        process.stdout.write(`${serverVersion()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`ariadne: unknown command "${command}"\n\n${HELP}`);
        return 1;
    }
  } catch (error) {
    if (isAriadneError(error) || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}
