import {
  guestToken,
  repoRoot,
  RunningPortal,
  startPortal,
} from '@devops-app/e2e';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The backend plugin's own Argo CD stand-in (as e2e/src/argocd.test.ts uses it).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, no-restricted-imports
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from '../../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import { figures, SideFigures } from '../metricsLoad/run';
import { waitForQuiet } from '../quiet';

/**
 * `yarn workspace @devops-app/bench deployments-status [--concurrency 100] [--rounds 3] [--viewers N] [--no-settle]`: bursts of
 * concurrent `GET /api/devops-app/deployments/status` reads against two real backends started side by
 * side on the same GitOps remote and Argo CD stand-in: "before" with the status caches off
 * (`devopsApp.gitops.snapshotRefreshMs: 0`, `devopsApp.argocd.statusShareMs: 0`,
 * `devopsApp.readShareMs: 0`: every read fetches the remote and reads every values file and Argo CD
 * application, reads the entity through the catalog with the caller's credentials, asks the
 * permission framework per production class and reads each environment's last deploy), "after" with
 * the defaults. Bursts alternate between the two so both see the same machine load; each side first
 * gets one unmeasured burst of the full concurrency, and before each burst the bench waits for the
 * machine to be quiet (`waitForQuiet`; `--no-settle` does not). `--viewers N`: N signed-in viewers
 * (default concurrency / 5, five readers each). Prints p50/p99 of each, each burst's p99 and the ratio. `BENCH_BACKEND_NODE_OPTIONS=--cpu-prof --cpu-prof-dir=DIR` profiles both
 * backends (written when they stop).
 */
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const TOKEN = 'bench-argo-token';
const ENTITY = 'component:default/inference-service';

async function burst(
  portal: RunningPortal,
  tokens: string[],
  concurrency: number,
): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const t0 = performance.now();
      const res = await fetch(
        `${
          portal.baseUrl
        }/api/devops-app/deployments/status?entityRef=${encodeURIComponent(
          ENTITY,
        )}`,
        {
          headers: {
            Authorization: `Bearer ${
              tokens[Math.floor(i / 5) % tokens.length]
            }`,
          },
        },
      ).catch(() => undefined);
      const body = res ? await res.text() : '';
      ms.push(performance.now() - t0);
      if (!res?.ok || !body.includes('"gitTag"')) failed += 1;
    }),
  );
  return { ms, failed };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const concurrency = Number(option('concurrency', '100'));
  const rounds = Number(option('rounds', '3'));
  // Before each burst, wait for the machine to be quiet (the other side's leftover work); --no-settle: don't.
  const settle = !process.argv.includes('--no-settle');
  // Five readers per signed-in viewer by default (a viewer's cards and the history read together).
  const viewers = Number(option('viewers', String(Math.ceil(concurrency / 5))));
  const logDir = resolve(repoRoot, 'test-results/bench');
  mkdirSync(logDir, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'devops-app-bench-status-'));
  const remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  const argo = await startArgoCdStandIn(TOKEN, [
    {
      application: application('dev', { automated: true }),
      rollout: pausedRollout('dev'),
    },
    { application: application('pre-prod', { automated: true }) },
    { application: application('prod', { automated: false }) },
  ]);
  const env = (off: boolean) => ({
    ...(process.env.BENCH_BACKEND_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_BACKEND_NODE_OPTIONS }
      : {}),
    // Before: the entity read through the catalog with each caller's credentials, one permission
    // request per production class, the audit log read per environment, on every request.
    ...(off ? { APP_CONFIG_devopsApp_readShareMs: '0' } : {}),
    APP_CONFIG_devopsApp_gitops: JSON.stringify({
      repository: remote,
      branch: 'main',
      ...(off ? { snapshotRefreshMs: 0 } : {}),
    }),
    APP_CONFIG_devopsApp_argocd: JSON.stringify({
      instances: [{ name: 'stand-in', baseUrl: argo.baseUrl, token: TOKEN }],
      ...(off ? { statusShareMs: 0 } : {}),
    }),
  });
  const [before, after] = await Promise.all([
    startPortal({
      env: env(true),
      logFile: resolve(logDir, 'deployments-status-before.log'),
    }),
    startPortal({
      env: env(false),
      logFile: resolve(logDir, 'deployments-status-after.log'),
    }),
  ]);
  try {
    const tokensOf = async (portal: RunningPortal) => {
      const tokens: string[] = [];
      for (let v = 0; v < viewers; v++)
        tokens.push(await guestToken(portal.baseUrl));
      return tokens;
    };
    const sides = [
      {
        name: 'before (no caches)',
        portal: before,
        tokens: await tokensOf(before),
      },
      {
        name: 'after (snapshot)',
        portal: after,
        tokens: await tokensOf(after),
      },
    ];
    const alone: number[] = [];
    for (const side of sides) {
      await burst(side.portal, side.tokens, 1); // the first compile of the route, the first fetch
      alone.push((await burst(side.portal, side.tokens, 1)).ms[0]);
      // One unmeasured burst of the full concurrency per side: every code path of a burst compiled.
      await burst(side.portal, side.tokens, concurrency);
    }
    const all = sides.map(() => ({
      ms: [] as number[],
      failed: 0,
      burstP99: [] as number[],
    }));
    const quietWaits: Awaited<ReturnType<typeof waitForQuiet>>[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [i, side] of sides.entries()) {
        if (settle) quietWaits.push(await waitForQuiet());
        const r = await burst(side.portal, side.tokens, concurrency);
        all[i].ms.push(...r.ms);
        all[i].burstP99.push(figures(r.ms, 0).p99);
        all[i].failed += r.failed;
      }
    }
    const [b, a]: SideFigures[] = all.map(r => figures(r.ms, r.failed));
    console.log(
      [
        `GET /deployments/status: ${rounds} bursts of ${concurrency} concurrent readers per side, alternating; ${viewers} signed-in viewers; one GitOps remote, one Argo CD stand-in`,
        '| side | one alone | p50 | p99 | failed |',
        '| ---- | --------- | --- | --- | ------ |',
        ...sides.map(
          (s, i) =>
            `| ${s.name} | ${fmt(alone[i])} | ${fmt([b, a][i].p50)} | ${fmt(
              [b, a][i].p99,
            )} | ${[b, a][i].failed} of ${[b, a][i].requests} |`,
        ),
        ...sides.map(
          (s, i) =>
            `p99 of each burst, ${s.name}: ${all[i].burstP99
              .map(fmt)
              .join(', ')}`,
        ),
        settle
          ? `before each burst the machine was let settle (CPU busy < 20 % over 250 ms): waited ${quietWaits
              .map(
                w =>
                  `${(w.waitedMs / 1000).toFixed(1)} s${
                    w.quiet ? '' : ' (not quiet)'
                  }`,
              )
              .join(', ')}`
          : 'bursts right after each other (--no-settle)',
        `ratio before/after: p50 ${(b.p50 / a.p50).toFixed(1)}x, p99 ${(
          b.p99 / a.p99
        ).toFixed(1)}x`,
        `load average (1/5/15 min) at the end: ${loadavg()
          .map(l => l.toFixed(2))
          .join(' / ')} (${execFileSync('uptime', {
          encoding: 'utf8',
        }).trim()})`,
      ].join('\n'),
    );
  } finally {
    await Promise.all([before.stop(), after.stop()]);
    await argo.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
