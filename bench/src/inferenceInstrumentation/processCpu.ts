import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; 100 a second on every distribution we run. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, all threads: sharp's libuv workers included) a process has used, from
 * /proc/<pid>/stat; undefined where there is no /proc. Unlike wall-clock throughput, this barely moves
 * when other work shares the machine, so it is the steadier measure of what instrumentation costs.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) {
    return undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
