import { formatReport, parseCli, USAGE } from './cli';
import { runLoad } from './runLoad';

async function waitReady(baseUrl: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${baseUrl}/readyz`).then(
      r => r.ok,
      () => false,
    );
    if (ready) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 1_000));
  }
  throw new Error(`${baseUrl} was not ready within ${seconds} s`);
}

/**
 * The load generator: `yarn workspace @devops-app/inference loadgen --rps N --seconds S`. Exits 1 when
 * any answer was not the one a healthy service gives, so it doubles as a smoke test.
 */
async function main(): Promise<void> {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.waitReadySeconds > 0) {
    await waitReady(options.baseUrl, options.waitReadySeconds);
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const forever = options.seconds === 0;
  const json = options.json;
  const report = await runLoad({
    ...options,
    signal: stop.signal,
    onReport: forever
      ? running =>
          console.log(json ? JSON.stringify(running) : formatReport(running))
      : undefined,
    reportEveryMs: 30_000,
  });
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exit(report.unexpected + report.network_errors > 0 ? 1 : 0);
}

main().catch(error => {
  console.error(`loadgen failed: ${(error as Error).message}`);
  process.exit(1);
});
