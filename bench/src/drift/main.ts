import { applyEnvironments, DriftBenchRow, formatDriftResult } from './run';

/**
 * `yarn workspace @devops-app/bench drift [--parallelism 4] [--sizes 1,5,20]`: applies the largest
 * size of sandbox environments once, then checks the first 1, 5 and 20 of them for drift with the
 * given parallelism and one after another (alternating which goes first), and prints both with the
 * ratio.
 */
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const parallelism = Number(option('parallelism', '4'));
  const sizes = option('sizes', '1,5,20').split(',').map(Number);
  const fixture = await applyEnvironments(Math.max(...sizes));
  const rows: DriftBenchRow[] = [];
  try {
    for (const [i, size] of sizes.entries()) {
      const names = fixture.environments.slice(0, size);
      const order = i % 2 ? [1, parallelism] : [parallelism, 1];
      const ms: Record<number, number> = {};
      for (const p of order) {
        const { totalMs, statuses } = await fixture.check(names, p);
        if (statuses.some(s => s !== 'in-sync')) {
          throw new Error(
            `a check of the applied environments said ${statuses}`,
          );
        }
        ms[p] = totalMs;
        process.stderr.write(
          `${size} environments, parallelism ${p}: ${(totalMs / 1000).toFixed(
            1,
          )} s\n`,
        );
      }
      rows.push({
        environments: size,
        parallelism,
        parallelMs: ms[parallelism],
        sequentialMs: ms[1],
      });
    }
  } finally {
    await fixture.close();
  }
  process.stdout.write(`${formatDriftResult(rows)}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
