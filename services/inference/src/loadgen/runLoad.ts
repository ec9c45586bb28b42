import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RequestTemplate, requestMix } from './requestMix';
import { LatencySummary, summarize } from './stats';

export interface LoadOptions {
  /** The service, e.g. http://127.0.0.1:8000. */
  baseUrl: string;
  /**
   * Requests started per second, whatever the answers' pace (open loop). Without it, `concurrency`
   * workers each send the next request when the last is answered (closed loop): maximum throughput.
   */
  rps?: number;
  /** How long to send for; 0 means until `signal` aborts. */
  seconds: number;
  /** Closed loop: the number of workers. Open loop: the most requests in flight; beyond it a tick is skipped. */
  concurrency: number;
  /** Share of invalid uploads, 0..1. */
  invalidRatio: number;
  signal?: AbortSignal;
  templates?: { valid: RequestTemplate[]; invalid: RequestTemplate[] };
  /** Called with the running totals every `reportEveryMs`. */
  onReport?: (report: LoadReport) => void;
  reportEveryMs?: number;
}

export interface LoadReport {
  mode: 'open' | 'closed';
  target_rps?: number;
  concurrency: number;
  duration_s: number;
  sent: number;
  completed: number;
  /** Completed requests per second. */
  throughput_rps: number;
  latency_ms: { valid: LatencySummary; invalid: LatencySummary };
  /** Answers by status code; `network` for requests that got none. */
  statuses: Record<string, number>;
  valid: { sent: number; as_expected: number };
  invalid: { sent: number; as_expected: number };
  /** Answers other than the one a healthy service gives (a 5xx, a 201 for garbage, ...). */
  unexpected: number;
  network_errors: number;
  /** Open loop only: ticks not sent because `concurrency` requests were already in flight. */
  skipped: number;
  /** The first few network errors, for the operator. */
  error_samples: string[];
}

interface Outcome {
  template: RequestTemplate;
  status?: number;
  error?: string;
  latencyMs: number;
}

function send(
  agent: Agent,
  url: URL,
  template: RequestTemplate,
): Promise<Outcome> {
  const started = performance.now();
  return new Promise(resolve => {
    const headers: Record<string, string | number> = {
      'content-length': template.body?.length ?? 0,
    };
    if (template.contentType) {
      headers['content-type'] = template.contentType;
    }
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/predictions',
        headers,
      },
      res => {
        res.resume();
        res.on('end', () =>
          resolve({
            template,
            status: res.statusCode,
            latencyMs: performance.now() - started,
          }),
        );
        res.on('error', error =>
          resolve({
            template,
            error: error.message,
            latencyMs: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', error =>
      resolve({
        template,
        error: error.message,
        latencyMs: performance.now() - started,
      }),
    );
    req.end(template.body);
  });
}

class Tally {
  readonly startedAt = performance.now();
  sent = 0;
  skipped = 0;
  private readonly validLatencies: number[] = [];
  private readonly invalidLatencies: number[] = [];
  private readonly statuses: Record<string, number> = {};
  private validSent = 0;
  private invalidSent = 0;
  private validExpected = 0;
  private invalidExpected = 0;
  private unexpected = 0;
  private networkErrors = 0;
  private readonly errorSamples: string[] = [];

  started(template: RequestTemplate): void {
    this.sent++;
    if (template.valid) {
      this.validSent++;
    } else {
      this.invalidSent++;
    }
  }

  record(outcome: Outcome): void {
    const key =
      outcome.status === undefined ? 'network' : String(outcome.status);
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (outcome.status === undefined) {
      this.networkErrors++;
      if (this.errorSamples.length < 5) {
        this.errorSamples.push(outcome.error ?? 'no answer');
      }
      return;
    }
    (outcome.template.valid ? this.validLatencies : this.invalidLatencies).push(
      outcome.latencyMs,
    );
    if (outcome.status !== outcome.template.expectedStatus) {
      this.unexpected++;
    } else if (outcome.template.valid) {
      this.validExpected++;
    } else {
      this.invalidExpected++;
    }
  }

  report(options: LoadOptions): LoadReport {
    const duration = (performance.now() - this.startedAt) / 1000;
    const completed = this.validLatencies.length + this.invalidLatencies.length;
    return {
      mode: options.rps ? 'open' : 'closed',
      target_rps: options.rps,
      concurrency: options.concurrency,
      duration_s: Math.round(duration * 100) / 100,
      sent: this.sent,
      completed,
      throughput_rps:
        duration > 0 ? Math.round((completed / duration) * 100) / 100 : 0,
      latency_ms: {
        valid: summarize(this.validLatencies),
        invalid: summarize(this.invalidLatencies),
      },
      statuses: { ...this.statuses },
      valid: { sent: this.validSent, as_expected: this.validExpected },
      invalid: { sent: this.invalidSent, as_expected: this.invalidExpected },
      unexpected: this.unexpected,
      network_errors: this.networkErrors,
      skipped: this.skipped,
      error_samples: [...this.errorSamples],
    };
  }
}

/**
 * Picks the i-th request: invalid ones spread evenly at `ratio` (no randomness, so two runs send the
 * same sequence), each group used round-robin.
 */
export function templateAt(
  i: number,
  ratio: number,
  templates: { valid: RequestTemplate[]; invalid: RequestTemplate[] },
): RequestTemplate {
  const invalidBefore = Math.floor(i * ratio);
  const isInvalid =
    templates.invalid.length > 0 && Math.floor((i + 1) * ratio) > invalidBefore;
  if (isInvalid) {
    return templates.invalid[invalidBefore % templates.invalid.length];
  }
  return templates.valid[(i - invalidBefore) % templates.valid.length];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Sends a mix of valid and invalid uploads to POST /v1/predictions and reports what came back. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  if (options.invalidRatio < 0 || options.invalidRatio > 1) {
    throw new Error(
      `the invalid ratio must be between 0 and 1, got ${options.invalidRatio}`,
    );
  }
  const templates = options.templates ?? (await requestMix());
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const tally = new Tally();
  const endsAt =
    options.seconds > 0 ? tally.startedAt + options.seconds * 1000 : Infinity;
  const running = () => !options.signal?.aborted && performance.now() < endsAt;
  const reporter = options.onReport
    ? setInterval(
        () => options.onReport?.(tally.report(options)),
        options.reportEveryMs ?? 30_000,
      )
    : undefined;

  let next = 0;
  const fire = async () => {
    const template = templateAt(next++, options.invalidRatio, templates);
    tally.started(template);
    tally.record(await send(agent, url, template));
  };

  try {
    if (options.rps) {
      const inFlight = new Set<Promise<void>>();
      // Every tick due before the end is sent (or skipped when the concurrency is used up), late if
      // the machine is busy: the count follows the schedule, not the event loop's punctuality, and
      // the lateness shows in the latencies.
      for (let tick = 0; ; tick++) {
        const dueAt = tally.startedAt + (tick * 1000) / options.rps;
        if (dueAt >= endsAt || options.signal?.aborted) {
          break;
        }
        await sleep(dueAt - performance.now(), options.signal);
        if (options.signal?.aborted) {
          break;
        }
        if (inFlight.size >= options.concurrency) {
          tally.skipped++;
          continue;
        }
        const pending = fire().finally(() => inFlight.delete(pending));
        inFlight.add(pending);
      }
      // The run lasts its seconds: the last tick is due 1/rps before the end.
      if (Number.isFinite(endsAt)) {
        await sleep(endsAt - performance.now(), options.signal);
      }
      await Promise.all(inFlight);
    } else {
      const worker = async () => {
        while (running()) {
          await fire();
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    }
  } finally {
    if (reporter) {
      clearInterval(reporter);
    }
    agent.destroy();
  }
  return tally.report(options);
}
