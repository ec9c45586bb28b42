import { readFileSync } from 'node:fs';

/** Busy and total jiffies of all CPUs (/proc/stat's first line). */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle + iowait are not busy.
  return { busy: total - fields[3] - (fields[4] ?? 0), total };
}

/**
 * Waits until the machine's CPUs are quiet: busy below `busyBelow` (0 to 1, of all cores together) over
 * `windowMs`, at most `timeoutMs`. Benchmarks that alternate two sides call it before each burst, so
 * one side's leftover work (a backend's garbage collection or git processes after its burst) does not
 * land on the other side's burst. Returns how long it waited and whether the machine got quiet.
 */
export async function waitForQuiet(
  options: { busyBelow?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<{ waitedMs: number; quiet: boolean; busy: number }> {
  const busyBelow = options.busyBelow ?? 0.2;
  const windowMs = options.windowMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const start = Date.now();
  let busy = 1;
  for (;;) {
    const a = cpuTimes();
    await new Promise(r => setTimeout(r, windowMs));
    const b = cpuTimes();
    busy = b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
    if (busy < busyBelow)
      return { waitedMs: Date.now() - start, quiet: true, busy };
    if (Date.now() - start > timeoutMs)
      return { waitedMs: Date.now() - start, quiet: false, busy };
  }
}
