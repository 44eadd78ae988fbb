import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { serveUsageError } from './serve-usage-error.js';

/**
 * Reads an `ariadne serve --config` file: a mapping from option names (the
 * flag without its dashes) to values, in YAML, or in JSON when the name ends
 * in `.json`. Values come back as the text a flag would carry, so the file
 * and the command line share one parser and one set of checks. Numbers are
 * written out in decimal; an empty value (`retention:` in YAML, or null)
 * leaves the option unset; relative paths among `pathFlags` are resolved
 * from the file's folder, so the file means the same whatever the working
 * directory (a service manager's is often `/`). Options among `switchFlags`
 * may be true or false (read as the text "true" or "false").
 */
export function readServeConfigFile<F extends string>(
  file: string,
  flags: readonly F[],
  pathFlags: readonly F[],
  switchFlags: readonly F[] = [],
): Partial<Record<F, string>> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw serveUsageError(`cannot read --config ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    // YAML 1.2 (the library's default): `off` stays a string, as the port options need.
    document = extname(file).toLowerCase() === '.json' ? JSON.parse(source) : parseYaml(source);
  } catch (error) {
    throw serveUsageError(`--config ${JSON.stringify(file)} is not valid: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw serveUsageError(`--config ${JSON.stringify(file)} must hold a mapping of option names to values`);
  }
  const known = new Set<string>(flags);
  const out: Partial<Record<F, string>> = {};
  for (const [key, value] of Object.entries(document)) {
    const where = `"${key}" in ${JSON.stringify(file)}`;
    if (!known.has(key)) {
      const hint = key.startsWith('-') ? ' (write option names without dashes)' : '';
      throw serveUsageError(`${where} is not an option of ariadne serve${hint}`);
    }
    if (value === null) continue;
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else if (typeof value === 'boolean' && switchFlags.includes(key as F)) text = String(value);
    else throw serveUsageError(`${where} must be a string or a number`);
    const flag = key as F;
    out[flag] = pathFlags.includes(flag) && text !== '' ? resolve(dirname(file), text) : text;
  }
  return out;
}
