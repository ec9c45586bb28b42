import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { formatComparison } from './comparison';
import { runInstrumentationBench } from './run';

/**
 * `yarn workspace @devops-app/bench inference-instrumentation [--seconds S] [--rounds R]
 * [--concurrency C] [--warmup S] [--json]`
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  const options = {
    seconds: Number(values.seconds),
    rounds: Math.max(1, Math.floor(Number(values.rounds))),
    concurrency: Math.max(1, Math.floor(Number(values.concurrency))),
    warmupSeconds: Number(values.warmup),
  };
  if (
    ![
      options.seconds,
      options.rounds,
      options.concurrency,
      options.warmupSeconds,
    ].every(Number.isFinite)
  ) {
    throw new Error(
      '--seconds, --rounds, --concurrency and --warmup take numbers',
    );
  }
  const result = await runInstrumentationBench({
    ...options,
    progress: line => console.error(`bench: ${line}`),
  });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const setup =
    `${options.rounds} x ${options.seconds} s per side, closed loop with ${options.concurrency} in flight, ` +
    `${cpus().length} CPUs, Azurite`;
  console.log(formatComparison(result.comparison, setup));
  console.log(
    `  (on side shipped ${result.tracePayloads} trace payloads to the stand-in agent and was scraped ${result.scrapes} times)`,
  );
}

main().catch(error => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
