import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { Context } from 'hono';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Vite's hashed assets never change under their name. */
  readonly immutable: boolean;
}

/** Where the built UI lives: `@ariadne/ui`'s dist folder. */
export function defaultUiDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@ariadne/ui/package.json')), 'dist');
}

/**
 * Serves the built single-page UI from memory (it is small, and a fixed map
 * of files cannot be tricked into reading outside the folder). Unknown paths
 * get index.html so client-side routes like /trace/{id} load on refresh.
 * Returns undefined when the folder has no index.html (UI not built).
 */
export function createStaticUi(uiDir: string): ((c: Context) => Response) | undefined {
  const files = new Map<string, StaticFile>();
  loadFolder(uiDir, uiDir, files);
  const index = files.get('/index.html');
  if (!index) return undefined;
  return (c) => {
    const file = files.get(c.req.path) ?? index;
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': file.contentType,
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
  };
}

function loadFolder(root: string, dir: string, files: Map<string, StaticFile>) {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      loadFolder(root, path, files);
      continue;
    }
    const urlPath = `/${relative(root, path).split(sep).join('/')}`;
    files.set(urlPath, {
      body: readFileSync(path),
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: urlPath.startsWith('/assets/'),
    });
  }
}
