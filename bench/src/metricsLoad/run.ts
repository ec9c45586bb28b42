import { METRICS_PANELS } from '@devops-app/plugin-devops-app-common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** The Metrics section's five panels in the four ranges a viewer switches between. */
export const PANELS = METRICS_PANELS;
export const RANGES = ['15m', '1h', '6h', '24h'] as const;

export interface PanelRequest {
  panel: (typeof PANELS)[number];
  range: (typeof RANGES)[number];
}

export const PANEL_REQUESTS: PanelRequest[] = RANGES.flatMap(range =>
  PANELS.map(panel => ({ panel, range })),
);

/** One `query_range` call as our backend sent it: replayed as it was, straight to Prometheus. */
export interface RecordedQuery {
  path: string;
  body: string;
  contentType: string;
}

/**
 * A pass-through between our backend and Prometheus that records the query_range calls, so the
 * Prometheus side of the benchmark sends exactly the queries our backend builds (no second copy of
 * the PromQL templates here).
 */
export async function startRecordingProxy(upstream: string) {
  let recording: RecordedQuery[] | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const path = req.url ?? '/';
      const contentType = String(req.headers['content-type'] ?? '');
      if (recording && path.startsWith('/api/v1/query_range')) {
        recording.push({ path, body, contentType });
      }
      try {
        const answer = await fetch(`${upstream}${path}`, {
          method: req.method,
          headers: contentType ? { 'Content-Type': contentType } : {},
          body:
            req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        res.writeHead(answer.status, {
          'Content-Type': answer.headers.get('content-type') ?? 'text/plain',
        });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    /** The queries that passed while `during` ran. */
    async record(during: () => Promise<void>): Promise<RecordedQuery[]> {
      recording = [];
      try {
        await during();
        return recording;
      } finally {
        recording = undefined;
      }
    },
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** The nearest-rank percentile of some durations. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface SideFigures {
  requests: number;
  failed: number;
  p50: number;
  p99: number;
}

export function figures(durations: number[], failed: number): SideFigures {
  return {
    requests: durations.length,
    failed,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

/**
 * `concurrency` panel requests at once, `rounds` times: each request is one of the 20 panel/range pairs
 * in turn; its time is from sending it to having read the whole answer.
 */
export async function burst(
  concurrency: number,
  rounds: number,
  /** `index`: the request's place in the burst (its viewer is index / 5). */
  send: (request: PanelRequest, index: number) => Promise<boolean>,
  /** Awaited before each round (e.g. `waitForQuiet`). */
  beforeRound?: () => Promise<unknown>,
): Promise<SideFigures> {
  const timed = async (request: PanelRequest, index: number) => {
    const t0 = performance.now();
    const ok = await send(request, index).catch(() => false);
    return { ms: performance.now() - t0, ok };
  };
  const answers: Array<{ ms: number; ok: boolean }> = [];
  for (let round = 0; round < rounds; round++) {
    const offset = round * concurrency;
    await beforeRound?.();
    answers.push(
      ...(await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          timed(PANEL_REQUESTS[(i + offset) % PANEL_REQUESTS.length], i),
        ),
      )),
    );
  }
  return figures(
    answers.map(a => a.ms),
    answers.filter(a => !a.ok).length,
  );
}

export interface LevelResult {
  concurrency: number;
  backend: SideFigures;
  prometheus: SideFigures;
}

const ms = (v: number) => `${Math.round(v)} ms`.padStart(8);

export function formatLevels(rounds: number, levels: LevelResult[]): string {
  return [
    `Concurrent panel requests (5 panels x 4 ranges, in turn), ${rounds} bursts per level; Prometheus side: the same panel's query_range calls, sent straight to Prometheus at once`,
    '| concurrent | backend p50 | backend p99 | Prometheus p50 | Prometheus p99 | p50 backend/Prom | p99 backend/Prom | failed (backend/Prom) |',
    '| ---------- | ----------- | ----------- | -------------- | -------------- | ---------------- | ---------------- | --------------------- |',
    ...levels.map(
      l =>
        `| ${String(l.concurrency).padStart(10)} | ${ms(l.backend.p50).padStart(
          11,
        )} | ${ms(l.backend.p99).padStart(11)} | ${ms(
          l.prometheus.p50,
        ).padStart(14)} | ${ms(l.prometheus.p99).padStart(14)} | ${(
          l.backend.p50 / l.prometheus.p50
        )
          .toFixed(2)
          .padStart(16)} | ${(l.backend.p99 / l.prometheus.p99)
          .toFixed(2)
          .padStart(
            16,
          )} | ${`${l.backend.failed}/${l.prometheus.failed}`.padStart(21)} |`,
    ),
  ].join('\n');
}

/** `--before`: the backend with `readShareMs: 0` against the default, per level. */
export function formatBeforeAfter(
  viewers: number,
  levels: LevelResult[],
  befores: SideFigures[],
): string {
  return [
    `Our backend before (devopsApp.readShareMs: 0, the catalog read with each caller's credentials) and after (SharedEntityReads), ${viewers} viewers' tokens`,
    '| concurrent | before p50 | before p99 | after p50 | after p99 | p50 before/after | p99 before/after | failed (before/after) |',
    '| ---------- | ---------- | ---------- | --------- | --------- | ---------------- | ---------------- | --------------------- |',
    ...levels.map((l, i) => {
      const b = befores[i];
      return `| ${String(l.concurrency).padStart(10)} | ${ms(b.p50).padStart(
        10,
      )} | ${ms(b.p99).padStart(10)} | ${ms(l.backend.p50).padStart(9)} | ${ms(
        l.backend.p99,
      ).padStart(9)} | ${(b.p50 / l.backend.p50).toFixed(2).padStart(16)} | ${(
        b.p99 / l.backend.p99
      )
        .toFixed(2)
        .padStart(16)} | ${`${b.failed}/${l.backend.failed}`.padStart(21)} |`;
    }),
  ].join('\n');
}
