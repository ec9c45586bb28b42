import { promises as fs } from 'node:fs';

/**
 * The live processes whose command line or environment mentions `marker` (a run's id or directory),
 * read from /proc: terraform, its providers, the `sleep` of a sandbox apply, the guard.
 */
export async function findProcesses(
  marker: string,
): Promise<{ pid: number; args: string[]; terraform: boolean }[]> {
  const found = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const [environ, cmdline, stat] = await Promise.all([
        fs.readFile(`/proc/${entry}/environ`, 'utf8'),
        fs.readFile(`/proc/${entry}/cmdline`, 'utf8'),
        fs.readFile(`/proc/${entry}/stat`, 'utf8'),
      ]);
      // A zombie is already dead; only its parent has not read its status yet.
      if (/^\d+ \(.*\) Z/.test(stat)) continue;
      const args = cmdline.split('\0').filter(Boolean);
      if (environ.includes(marker) || cmdline.includes(marker)) {
        found.push({
          pid: Number(entry),
          args,
          terraform: /terraform$/.test(args[0] ?? ''),
        });
      }
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return found;
}
