import { intern } from './intern.js';
import type { SpanColumns } from './span-columns.js';

/**
 * Per process of the columns, the index of its service among the trace's
 * distinct service names (two processes of one service count as one), and
 * those names.
 */
export function servicesOfProcesses(columns: SpanColumns): { serviceOf: Int32Array; names: string[] } {
  const { processes } = columns;
  const serviceOf = new Int32Array(processes.length);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const [p, process] of processes.entries()) serviceOf[p] = intern(names, index, process.serviceName);
  return { serviceOf, names };
}
