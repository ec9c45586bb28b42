/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
// The backend plugin's own Argo CD stand-in (as argocd.test.ts uses it).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { startArgoCdStandIn } from '../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import {
  launchChromium,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import { knownSamples, SCRAPE_SECONDS } from './support/knownSamples';
import { RunningPrometheus, startPrometheus } from './support/prometheus';
import {
  DeploymentsPortal,
  startDeploymentsPortal,
} from './support/deploymentsPortal';
import { guestToken } from './support/portal';
import {
  clusterRuns,
  devopsAppApi,
  gitTag,
  pipelineApps,
  standInConfig,
} from './support/pipelineStandIns';

/*
 * The pipeline walk of issue 14 on the real backend and the built frontend: a GitOps remote of its own,
 * the Argo CD stand-in, and a real Prometheus holding known samples: in dev, pods of 0.2.0 serving
 * 0.4 requests/s without any 5xx and a p95 of 0.47 s (healthy); in pre-prod, pods of 0.2.0 with one 5xx
 * in four requests (error ratio 25 %, p95 0.9 s). The guest is in ml-team, the owner, so it may deploy
 * to dev and pre-prod. Soak time of pre-prod 45 s (long enough to see the button disabled on a busy
 * machine), of prod 0 s.
 */
const ENTITY = 'component:default/inference-service';
const TOKEN = `argocd-e2e-pipeline-${process.pid}`;
const SOAK_SECONDS = 45;

let portal: DeploymentsPortal;
let browser: Browser;
let prometheus: RunningPrometheus;
let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;
let token: string;

const apps = pipelineApps();

const api = devopsAppApi(
  () => portal.baseUrl,
  () => token,
);

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
  prometheus = await startPrometheus(
    knownSamples(now - 3 * 3600, now - SCRAPE_SECONDS, [
      { name: 'dev', withErrors: false, version: '0.2.0' },
      { name: 'pre-prod', withErrors: true, version: '0.2.0' },
    ]).text,
  );
  argo = await startArgoCdStandIn(
    TOKEN,
    Object.values(apps).map(a => ({ application: a })),
  );
  portal = await startDeploymentsPortal({
    name: 'pipeline',
    logFile: 'backend-pipeline.log',
    env: {
      ...standInConfig({
        argoCdUrl: argo.baseUrl,
        argoCdToken: TOKEN,
        prometheusUrl: prometheus.baseUrl,
      }),
      APP_CONFIG_devopsApp_promotion: JSON.stringify({
        // The samples end 15 s before the test starts: read a window that holds many scrapes.
        verification: {
          maxErrorRatio: 0.01,
          maxP95Seconds: 0.5,
          minRequests: 50,
          minWindowSeconds: 1800,
        },
        stages: {
          'pre-prod': { soak: { seconds: SOAK_SECONDS } },
          prod: { soak: { seconds: 0 } },
        },
      }),
    },
  });
  token = await guestToken(portal.baseUrl);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await argo?.close();
  await prometheus?.stop();
});

function stage(page: Page, env: string) {
  return page.getByTestId(`pipeline-stage-${env}`);
}

describe('the pipeline: verified promotion from dev to pre-prod', () => {
  it('offers "Promote 0.2.0 from dev" only after the soak time, promotes it, and refuses unverified versions naming the check and its number', async () => {
    // Deploy 0.2.0 to dev (free text), and Argo CD syncs it.
    const deployed = await api('/deployments', {
      entityRef: ENTITY,
      environment: 'dev',
      tag: '0.2.0',
    });
    expect(deployed.status).toBe(201);
    clusterRuns(apps, 'dev', '0.2.0');

    // Before the soak time the server refuses, with how long it has run.
    const early = await api('/deployments/promotions', {
      entityRef: ENTITY,
      environment: 'pre-prod',
      version: '0.2.0',
    });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(
      new RegExp(
        `0\\.2\\.0 has run in dev for \\d+ s of ${SOAK_SECONDS} s soak`,
      ),
    );
    expect(gitTag(portal.remote, 'charts/inference/values-pre-prod.yaml')).toBe(
      '0.1.0',
    );
    // A strict body: an unknown field is a 400 naming it.
    const extra = await api('/deployments/promotions', {
      entityRef: ENTITY,
      environment: 'pre-prod',
      version: '0.2.0',
      force: true,
    });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).toContain('force');

    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1280,
      height: 800,
    });
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const preProd = stage(page, 'pre-prod');
    const promote = preProd.getByRole('button', {
      name: 'Promote 0.2.0 from dev',
    });
    await promote.waitFor({ timeout: 60_000 });
    expect(await promote.isDisabled()).toBe(true);
    await expect(
      preProd.getByTestId('promotion-reason-pre-prod').textContent(),
    ).resolves.toMatch(/0\.2\.0 has run in dev for \d+ s of 45 s soak/);
    // dev's verification, check by check, with the numbers of the known samples.
    const dev = stage(page, 'dev');
    await dev
      .getByText(/^requests \d+ ≥ 50 minimum$/)
      .waitFor({ timeout: 30_000 });
    await dev.getByText('error ratio 0 % ≤ 1 %').waitFor();
    await dev.getByText('p95 latency 0.47 s ≤ 0.5 s').waitFor();
    await screenshotsAtBothWidths(page, 'pipeline-soaking');

    // Once the soak time has passed the page reads again by itself and offers the promotion.
    await page
      .locator(
        '[data-testid="pipeline-stage-pre-prod"] button:not([disabled])',
        {
          hasText: 'Promote 0.2.0 from dev',
        },
      )
      .waitFor({ timeout: (SOAK_SECONDS + 60) * 1000 });
    await screenshotsAtBothWidths(page, 'pipeline-ready');
    await promote.click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Promoted 0.2.0 to pre-prod' })
      .waitFor({ timeout: 60_000 });
    expect(gitTag(portal.remote, 'charts/inference/values-pre-prod.yaml')).toBe(
      '0.2.0',
    );
    clusterRuns(apps, 'pre-prod', '0.2.0');
    const audit = await api(
      `/audit?${new URLSearchParams({
        entityRef: ENTITY,
        environment: 'pre-prod',
      })}`,
    );
    expect(audit.body.items[0]).toMatchObject({
      action: 'promote-version',
      result: 'success',
      after: '0.2.0',
      before: '0.1.0',
      actor: 'user:default/guest',
    });

    // pre-prod's 0.2.0 serves one 5xx in four: prod is not offered it, and says why with the numbers.
    // (Production takes a request and a prod deployer's approval: e2e/src/prodApproval.test.ts.)
    const prod = stage(page, 'prod');
    await prod
      .getByRole('button', { name: 'Request promotion of 0.2.0' })
      .waitFor({ timeout: 60_000 });
    expect(
      await prod
        .getByRole('button', { name: 'Request promotion of 0.2.0' })
        .isDisabled(),
    ).toBe(true);
    // Read again at the latest at the next poll, once Argo CD reports pre-prod on 0.2.0.
    await prod
      .getByTestId('promotion-reason-prod')
      .filter({ hasText: 'error ratio 25 % > 1 %' })
      .waitFor({ timeout: 60_000 });
    await screenshotsAtBothWidths(page, 'pipeline-promoted');

    // A version without traffic in dev: the promotion is refused naming the minimum of requests, the
    // refusal is audited, and nothing is committed.
    expect(
      (
        await api('/deployments', {
          entityRef: ENTITY,
          environment: 'dev',
          tag: '0.4.0',
        })
      ).status,
    ).toBe(201);
    clusterRuns(apps, 'dev', '0.4.0');
    const noTraffic = await api('/deployments/promotions', {
      entityRef: ENTITY,
      environment: 'pre-prod',
      version: '0.4.0',
    });
    expect(noTraffic.status).toBe(409);
    expect(noTraffic.body.error.message).toContain('requests 0 < 50 minimum');
    expect(gitTag(portal.remote, 'charts/inference/values-pre-prod.yaml')).toBe(
      '0.2.0',
    );
    const refused = await api(
      `/audit?${new URLSearchParams({
        entityRef: ENTITY,
        environment: 'pre-prod',
      })}`,
    );
    expect(refused.body.items[0]).toMatchObject({
      action: 'promote-version',
      result: 'failure',
      after: '0.4.0',
    });
    expect(refused.body.items[0].message).toContain('requests 0 < 50 minimum');
    await page.close();
  }, 240_000);
});
