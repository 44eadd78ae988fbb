import { readFileSync } from 'node:fs';

// Linux reports /proc times in clock ticks of 1/100 s on every platform Node supports
// (USER_HZ is fixed at 100 for user space); Node has no sysconf to ask.
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far, all its threads together (user +
 * system), from /proc/<pid>/stat; NaN once the process is gone or off Linux.
 */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits until a process uses less than `belowPercent` of one core over a
 * whole second (a server still cutting blocks after a load is not idle), or
 * `maxMs` passed. Resolves with the milliseconds it waited.
 */
export async function waitUntilQuiet(pid: number, belowPercent: number, maxMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = processCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = processCpuSeconds(pid) - before;
    const waited = performance.now() - started;
    if (!(used * 100 >= belowPercent) || waited >= maxMs) return waited;
  }
}
