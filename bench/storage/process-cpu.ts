import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) another process has used so far, from Linux's
 * /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s); undefined
 * where there is no /proc. The storage benchmarks read ClickHouse's own CPU
 * this way, merges included, which ClickHouse's query counters leave out.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
