import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this package, named by its URL next
 * to the caller's (`new URL('./x-worker.js', import.meta.url)`). Built code
 * runs the `.js` file; run from TypeScript sources (tests, `tsx`), the worker
 * first registers tsx's loader and then imports the `.ts` file, since a
 * worker does not inherit the loader hooks its parent registered with
 * `--import`.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const source = new URL(moduleUrl.href.replace(/\.js$/, '.ts'));
  if (!import.meta.url.endsWith('.ts') || moduleUrl.href === source.href) return new Worker(moduleUrl, options);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
