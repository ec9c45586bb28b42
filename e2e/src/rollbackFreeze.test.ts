/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
// The backend plugin's own Argo CD stand-in (as argocd.test.ts and pipeline.test.ts use it).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  analysisRun,
  pausedRollout,
  startArgoCdStandIn,
} from '../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import {
  launchChromium,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import {
  DeploymentsPortal,
  startDeploymentsPortal,
} from './support/deploymentsPortal';
import { knownSamples, SCRAPE_SECONDS } from './support/knownSamples';
import { guestToken } from './support/portal';
import {
  devopsAppApi,
  gitTag,
  pipelineApps,
  standInConfig,
} from './support/pipelineStandIns';
import { RunningPrometheus, startPrometheus } from './support/prometheus';

/*
 * Rollback and freeze windows (issue 14) on the real backend and the built frontend: a GitOps remote
 * of its own, the Argo CD stand-in (dev's blue/green Rollout paused on 0.2.0, its pre-promotion
 * AnalysisRun failed on error-ratio) and a real Prometheus holding known samples of dev's pods
 * running 0.1.0 healthy (0 % errors, p95 0.47 s). The guest is in ml-team, the owner: it may deploy
 * and roll back dev. A freeze window "Release week" holds pre-prod from an hour ago to two hours
 * from now.
 */
const ENTITY = 'component:default/inference-service';
const TOKEN = `argocd-e2e-rollback-${process.pid}`;
const RUN = 'inference-7c9d8f6b5-2-pre';
const FREEZE_END = new Date(
  Math.ceil(Date.now() / 60_000) * 60_000 + 2 * 3600_000,
).toISOString();

let portal: DeploymentsPortal;
let browser: Browser;
let prometheus: RunningPrometheus;
let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;
let token: string;

const devRollout: any = pausedRollout('dev');
devRollout.status.blueGreen.prePromotionAnalysisRunStatus = {
  name: RUN,
  status: 'Failed',
};
const apps = pipelineApps();

const api = devopsAppApi(
  () => portal.baseUrl,
  () => token,
);

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
  prometheus = await startPrometheus(
    knownSamples(now - 3 * 3600, now - SCRAPE_SECONDS, [
      { name: 'dev', withErrors: false, version: '0.1.0' },
    ]).text,
  );
  argo = await startArgoCdStandIn(TOKEN, [
    {
      application: apps.dev,
      rollout: devRollout,
      analysisRuns: [
        analysisRun('dev', {
          name: RUN,
          podTemplateHash: '7c9d8f6b5',
          phase: 'Failed',
          metrics: [
            {
              name: 'error-ratio',
              phase: 'Failed',
              values: ['[0.02]', '[0.07]'],
            },
          ],
        }),
      ],
    },
    { application: apps['pre-prod'] },
    { application: apps.prod },
  ]);
  portal = await startDeploymentsPortal({
    name: 'rollback',
    logFile: 'backend-rollback.log',
    env: {
      ...standInConfig({
        argoCdUrl: argo.baseUrl,
        argoCdToken: TOKEN,
        prometheusUrl: prometheus.baseUrl,
      }),
      APP_CONFIG_devopsApp_promotion: JSON.stringify({
        // The samples end 15 s before the test starts: read a window that holds many scrapes.
        verification: { minWindowSeconds: 1800 },
        freezes: [
          {
            name: 'Release week',
            environments: ['pre-prod'],
            start: new Date(Date.now() - 3600_000).toISOString(),
            end: FREEZE_END,
            description: 'the release is being cut',
          },
        ],
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

/** The DORA section's figures for dev, read after choosing dev in its Environment picker. */
async function doraOfDev(page: Page) {
  await page.locator('#dora-environment').click();
  await page.getByRole('option', { name: 'Development' }).click();
  const frequency = page.getByTestId('dora-deployment-frequency');
  const failures = page.getByTestId('dora-change-failure-rate');
  await frequency.waitFor({ timeout: 120_000 });
  return { frequency, failures };
}

describe('rollback and freeze windows', () => {
  it('rolls dev back from 0.2.0 to 0.1.0 from the history (audited as rollback, counted by DORA), and a freeze window blocks a deploy to pre-prod naming the window', async () => {
    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1280,
      height: 800,
    });
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    await page.getByTestId('git-tag-dev').waitFor({ timeout: 120_000 });

    // Before: nothing deployed from the portal to dev.
    let dora = await doraOfDev(page);
    await dora.frequency
      .getByText('0 deploys', { exact: true })
      .waitFor({ timeout: 60_000 });

    // Deploy 0.2.0 to dev, as a user would, through the Deploy dialog.
    const devRow = page.locator('tr', { has: page.getByTestId('git-tag-dev') });
    await devRow.getByRole('button', { name: 'Deploy tag' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Image tag').fill('0.2.0');
    await dialog.getByRole('button', { name: 'Show change' }).click();
    await dialog
      .getByLabel('Change to the values file')
      .waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Deploy 0.2.0' }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="git-tag-dev"]')?.textContent ===
        '0.2.0',
      undefined,
      { timeout: 60_000 },
    );
    expect(gitTag(portal.remote, 'charts/inference/values.yaml')).toBe('0.2.0');

    // The Pipeline view names dev's AnalysisRun, its phase and the failed metric.
    await page
      .getByText(
        `pre-promotion AnalysisRun ${RUN} Failed: metric error-ratio Failed (value [0.07])`,
      )
      .waitFor({ timeout: 120_000 });

    // The history offers the way back: 0.1.0, verified on Prometheus until 0.2.0 replaced it.
    const rollback = page
      .getByTestId('rollback-dev')
      .getByRole('button', { name: 'Roll back to 0.1.0' });
    await rollback.waitFor({ timeout: 120_000 });
    await page
      .getByTestId('rollback-pre-prod')
      .getByText(/^Frozen: Release week until /)
      .waitFor();
    // Guest owns the service but is no prod deployer: prod's rollback says so before any click.
    const prodRollback = page.getByTestId('rollback-prod');
    await prodRollback
      .getByText(
        'Only production deployers (group:default/prod-deployers) may roll back production',
      )
      .waitFor();
    expect(await prodRollback.getByRole('button').isDisabled()).toBe(true);
    await screenshotsAtBothWidths(page, 'rollback-01-offered');
    await page.setViewportSize({ width: 1280, height: 800 });
    await rollback.click();
    dialog = page.getByRole('dialog');
    await dialog
      .getByText(
        /^Why 0\.1\.0: verified in dev until .*requests \d+ ≥ 50 minimum/,
      )
      .waitFor({ timeout: 30_000 });
    await dialog.getByText(/it is aborted first/).waitFor();
    await screenshotsAtBothWidths(page, 'rollback-02-dialog');
    await page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Roll back to 0.1.0' }).click();
    await page
      .getByRole('status')
      .filter({
        hasText: 'Rolled dev back from 0.2.0 to 0.1.0 (Rollout aborted)',
      })
      .waitFor({ timeout: 60_000 });
    expect(gitTag(portal.remote, 'charts/inference/values.yaml')).toBe('0.1.0');
    // The paused Rollout was aborted through Argo CD's resource action.
    expect(devRollout.status.abort).toBe(true);

    // Audited as rollback, shown in the history.
    const audit = await api(
      `/audit?${new URLSearchParams({
        entityRef: ENTITY,
        environment: 'dev',
      })}`,
    );
    expect(
      audit.body.items.map((r: any) => [r.action, r.result, r.before, r.after]),
    ).toEqual([
      ['rollback', 'success', '0.2.0', '0.1.0'],
      ['deploy', 'success', '0.1.0', '0.2.0'],
    ]);
    await page
      .getByRole('table', { name: 'Deployment history' })
      .getByRole('cell', { name: 'rollback', exact: true })
      .waitFor({ timeout: 60_000 });

    // DORA counts both deploys, and the rollback marks the deploy of 0.2.0 failed.
    await page.reload();
    await page.getByTestId('git-tag-dev').waitFor({ timeout: 120_000 });
    dora = await doraOfDev(page);
    await dora.frequency
      .getByText('2 deploys', { exact: true })
      .waitFor({ timeout: 60_000 });
    await dora.failures.getByText('50 %', { exact: true }).waitFor();
    await dora.failures.getByText(/^1 failed of 2 deploys/).waitFor();
    await screenshotsAtBothWidths(page, 'rollback-03-dora');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A freeze window: the Deploy dialog of pre-prod names it, and offers no deploy.
    const preProdRow = page.locator('tr', {
      has: page.getByTestId('git-tag-pre-prod'),
    });
    await preProdRow.getByRole('button', { name: 'Deploy tag' }).click();
    dialog = page.getByRole('dialog');
    await dialog
      .getByText(/Frozen: Release week until /)
      .first()
      .waitFor({ timeout: 30_000 });
    await dialog.getByLabel('Image tag').fill('0.2.0');
    await dialog.getByRole('button', { name: 'Show change' }).click();
    await dialog
      .getByLabel('Change to the values file')
      .waitFor({ timeout: 60_000 });
    const frozenDeploy = dialog.getByLabel(
      /^Deploy: pre-prod is frozen by Release week until /,
    );
    expect(
      await frozenDeploy
        .getByRole('button', { name: 'Deploy 0.2.0' })
        .isDisabled(),
    ).toBe(true);
    await screenshotsAtBothWidths(page, 'freeze-01-deploy-dialog');

    // The server refuses it too (409 naming the window and its end), audited as denied.
    const refused = await api('/deployments', {
      entityRef: ENTITY,
      environment: 'pre-prod',
      tag: '0.2.0',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `Refused: pre-prod is frozen by freeze window "Release week" until ${FREEZE_END}: the release is being cut`,
    );
    expect(gitTag(portal.remote, 'charts/inference/values-pre-prod.yaml')).toBe(
      '0.1.0',
    );
    const preProdAudit = await api(
      `/audit?${new URLSearchParams({
        entityRef: ENTITY,
        environment: 'pre-prod',
      })}`,
    );
    expect(preProdAudit.body.items[0]).toMatchObject({
      action: 'deploy',
      result: 'denied',
      message: refused.body.error.message,
    });
  }, 900_000);
});
