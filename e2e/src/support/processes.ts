import { promises as fs } from 'node:fs';

/** A live process, as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  /** The parent's pid. */
  ppid: number;
  args: string[];
}

/**
 * The live processes (zombies left out) whose command line or environment mentions `marker`, e.g. a
 * terraform run's id or directory: terraform, its providers, the `sleep` of a sandbox apply, its guard.
 */
export async function findProcesses(marker: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const [environ, cmdline, stat] = await Promise.all([
        fs.readFile(`/proc/${entry}/environ`, 'utf8'),
        fs.readFile(`/proc/${entry}/cmdline`, 'utf8'),
        fs.readFile(`/proc/${entry}/stat`, 'utf8'),
      ]);
      // After "(comm)": the state, then the parent's pid (proc(5)).
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      if (environ.includes(marker) || cmdline.includes(marker)) {
        found.push({
          pid: Number(entry),
          ppid: Number(ppid),
          args: cmdline.split('\0').filter(Boolean),
        });
      }
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return found;
}
