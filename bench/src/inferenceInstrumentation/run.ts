import {
  buildService,
  requestMix,
  runLoad,
  ServiceProcess,
  startAzurite,
  startServiceProcess,
} from '@devops-app/inference';
import { compare, Comparison, Round, roundFrom } from './comparison';
import { processCpuSeconds } from './processCpu';
import { startStandInAgent } from './standInAgent';

export interface BenchOptions {
  /** Length of one measured round of one side. */
  seconds: number;
  /** Rounds per side; each round of one side is paired with one of the other, run right after it. */
  rounds: number;
  warmupSeconds: number;
  /** Closed-loop workers: requests in flight at all times. */
  concurrency: number;
  progress?: (line: string) => void;
}

export interface BenchResult {
  options: Omit<BenchOptions, 'progress'>;
  rounds: Round[];
  comparison: Comparison;
  /** Trace payloads the stand-in agent received from the "on" side. */
  tracePayloads: number;
  /** /metrics scrapes of the "on" side during the run. */
  scrapes: number;
}

/** How often the "on" side is scraped, as Prometheus would (the chart's ServiceMonitor uses 15 s). */
const SCRAPE_EVERY_MS = 5_000;

/**
 * Measures what metrics, request logs and traces cost POST /v1/predictions: the same compiled service
 * twice, on one Azurite, one side fully instrumented (JSON logs written to stdout, which goes to
 * /dev/null as a container runtime would take it; traces shipped to a stand-in agent; /metrics
 * scraped), the other with all three off, loaded in turn by the same closed-loop load generator.
 */
export async function runInstrumentationBench(
  options: BenchOptions,
): Promise<BenchResult> {
  const progress = options.progress ?? (() => undefined);
  progress('building the service');
  await buildService();
  const azurite = await startAzurite();
  const agent = await startStandInAgent();
  const { valid } = await requestMix();
  const templates = { valid, invalid: [] };
  const storage = {
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    // e.g. `--cpu-prof --cpu-prof-dir=DIR`: both sides write a profile when they stop.
    ...(process.env.BENCH_INFERENCE_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_INFERENCE_NODE_OPTIONS }
      : {}),
  };

  const services: Partial<Record<Round['side'], ServiceProcess>> = {};
  let scrapes = 0;
  let scraper: NodeJS.Timeout | undefined;
  try {
    services.on = await startServiceProcess(
      {
        ...storage,
        DD_ENV: 'bench',
        DD_SERVICE: 'inference-service',
        DD_VERSION: 'bench',
        DD_AGENT_HOST: '127.0.0.1',
        DD_TRACE_AGENT_PORT: String(agent.port),
        LOG_LEVEL: 'info',
        METRICS_ENABLED: 'true',
        ROLLOUT_COLOUR: 'blue',
      },
      { stdout: 'discard' },
    );
    services.off = await startServiceProcess(
      {
        ...storage,
        DD_TRACE_ENABLED: 'false',
        METRICS_ENABLED: 'false',
        LOG_LEVEL: 'silent',
      },
      { stdout: 'discard' },
    );
    const onUrl = services.on.baseUrl;
    scraper = setInterval(() => {
      fetch(`${onUrl}/metrics`)
        .then(response => response.text())
        .then(
          () => scrapes++,
          () => undefined,
        );
    }, SCRAPE_EVERY_MS);

    const load = (side: Round['side'], seconds: number) =>
      runLoad({
        baseUrl: services[side]!.baseUrl,
        seconds,
        concurrency: options.concurrency,
        invalidRatio: 0,
        templates,
      });

    for (const side of ['on', 'off'] as const) {
      progress(`warming up "${side}" for ${options.warmupSeconds} s`);
      await load(side, options.warmupSeconds);
    }
    const rounds: Round[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const order: Array<Round['side']> =
        i % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
      for (const side of order) {
        const pid = services[side]!.child.pid;
        const cpuBefore = processCpuSeconds(pid);
        const report = await load(side, options.seconds);
        const cpuAfter = processCpuSeconds(pid);
        const cpuSeconds =
          cpuBefore !== undefined && cpuAfter !== undefined
            ? cpuAfter - cpuBefore
            : undefined;
        const round = roundFrom(side, i, report, cpuSeconds);
        rounds.push(round);
        const label = `round ${i + 1}/${options.rounds} ${side.padEnd(3)}`;
        progress(
          `${label}: ${round.throughputRps} req/s, p99 ${round.p99Ms} ms, ` +
            `CPU ${round.cpuMsPerRequest} ms/request, ${round.failed} failed`,
        );
      }
    }
    return {
      options: {
        seconds: options.seconds,
        rounds: options.rounds,
        warmupSeconds: options.warmupSeconds,
        concurrency: options.concurrency,
      },
      rounds,
      comparison: compare(rounds),
      tracePayloads: agent.tracePayloads(),
      scrapes,
    };
  } finally {
    if (scraper) {
      clearInterval(scraper);
    }
    await Promise.all(Object.values(services).map(service => service?.stop()));
    await agent.close();
    await azurite.stop();
  }
}
