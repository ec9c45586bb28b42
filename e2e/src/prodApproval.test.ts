/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { resolve } from 'node:path';
// The backend plugin's own Argo CD stand-in (as pipeline.test.ts uses it).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { startArgoCdStandIn } from '../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import { launchChromium, screenshotsAtBothWidths } from './support/browser';
import { createGitOpsRemote, GitOpsRemote } from './support/deploymentsPortal';
import {
  ANA,
  PAT,
  signInAs,
  startPortalWithIdentities,
  tokenFor,
} from './support/identities';
import { knownSamples, SCRAPE_SECONDS } from './support/knownSamples';
import { resultsDir, RunningPortal } from './support/portal';
import { RunningPrometheus, startPrometheus } from './support/prometheus';
import {
  pickRegistryVersion,
  registryVersionsShown,
  RunningRegistry,
  startRegistry,
} from './support/registry';
import {
  clusterRuns,
  devopsAppApi,
  gitTag,
  pipelineApps,
  standInConfig,
} from './support/pipelineStandIns';

/*
 * The whole path of issue 14 with two real users on the real backend and the built frontend: ana.ml
 * (ml-team, the service's owner) and pat.platform (prod-deployers), signed in through the oauth2-proxy
 * overlay (support/identities.ts). A GitOps remote of its own, a throwaway Debian docker-registry on
 * 127.0.0.1 (support/registry.ts), the Argo CD stand-in, and a real Prometheus holding healthy samples
 * of 0.2.0 in dev and pre-prod; pre-prod soaks 45 s (long enough to see the promotion held on a busy
 * machine), prod 0 s. 0.2.0 is pushed to the registry; ana deploys it to dev by picking it in the
 * Deploy dialog; a tag the registry does not hold is refused; pre-prod holds "Promote 0.2.0 from dev"
 * until the soak time has passed, then ana promotes it; ana requests prod, cannot approve her own
 * request (the button disabled with the reason, the API 403 audited), pat approves it and prod runs
 * 0.2.0, ana's open page following by itself (signals); pat rolls prod back to 0.1.0 (ana is told she
 * may not), and DORA counts prod's deploys. Then pat breaks glass with a reason: audited and shown as
 * break glass in the history. Unhealthy versions and freeze windows: pipeline.test.ts and
 * rollbackFreeze.test.ts.
 */
const ENTITY = 'component:default/inference-service';
const TOKEN = `argocd-e2e-prod-approval-${process.pid}`;
const WAIT = { timeout: 180_000 };
const SOAK_SECONDS = 45;

let remote: GitOpsRemote;
let portal: RunningPortal;
let browser: Browser;
let prometheus: RunningPrometheus;
let registry: RunningRegistry;
let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;
const tokens: Record<string, string> = {};

const apps = pipelineApps();

const PROD_VALUES = 'charts/inference/values-prod.yaml';

const api = (user: string, path: string, body?: unknown) =>
  devopsAppApi(
    () => portal.baseUrl,
    () => tokens[user],
  )(path, body);

const prodAudit = async () =>
  (
    await api(
      PAT,
      `/audit?${new URLSearchParams({
        entityRef: ENTITY,
        environment: 'prod',
      })}`,
    )
  ).body.items as Array<Record<string, string>>;

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
  prometheus = await startPrometheus(
    knownSamples(now - 3 * 3600, now - SCRAPE_SECONDS, [
      { name: 'dev', withErrors: false, version: '0.2.0' },
      { name: 'pre-prod', withErrors: false, version: '0.2.0' },
    ]).text,
  );
  argo = await startArgoCdStandIn(
    TOKEN,
    Object.values(apps).map(a => ({ application: a })),
  );
  registry = await startRegistry();
  // What the environments run now; 0.2.0 and 0.2.1 are pushed by the tests, as releases would be.
  await registry.push('inference', '0.1.0');
  remote = await createGitOpsRemote('prod-approval');
  portal = await startPortalWithIdentities({
    logFile: resolve(resultsDir, 'backend-prod-approval.log'),
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote.path),
      ...standInConfig({
        argoCdUrl: argo.baseUrl,
        argoCdToken: TOKEN,
        prometheusUrl: prometheus.baseUrl,
      }),
      APP_CONFIG_devopsApp_registry_url: JSON.stringify(registry.url),
      APP_CONFIG_devopsApp_registry_name: JSON.stringify('local-registry'),
      APP_CONFIG_devopsApp_registry_cacheSeconds: '0',
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
        requests: { maxAgeHours: 24 },
      }),
    },
  });
  tokens[ANA] = await tokenFor(portal.baseUrl, ANA);
  tokens[PAT] = await tokenFor(portal.baseUrl, PAT);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await remote?.remove();
  await argo?.close();
  await prometheus?.stop();
  await registry?.stop();
});

function stage(page: Page, env: string) {
  return page.getByTestId(`pipeline-stage-${env}`);
}

async function openDevopsTab(user: string): Promise<Page> {
  const page = await signInAs(browser, portal.baseUrl, user, {
    width: 1280,
    height: 800,
  });
  await page.goto(
    `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
  );
  return page;
}

/**
 * prod's values file holds `version`, Argo CD then reports it running, and `page`'s Pipeline shows it
 * in the prod stage.
 */
async function prodRuns(version: string, page: Page) {
  expect(gitTag(remote, PROD_VALUES)).toBe(version);
  clusterRuns(apps, 'prod', version);
  await stage(page, 'prod')
    .locator('strong', {
      hasText: new RegExp(`^${version.replace(/\./g, '\\.')}$`),
    })
    .first()
    .waitFor(WAIT);
}

/** The page does not scroll sideways at its width. */
const noSidewaysScroll = (page: Page) =>
  page.evaluate(
    () =>
      document.documentElement.scrollWidth <=
      document.documentElement.clientWidth,
  );

describe('the whole path: registry, dev, pre-prod, four-eyes prod, rollback, DORA, break glass', () => {
  it('0.2.0 from the registry through dev and pre-prod (soaked, verified) to prod: ana requests, cannot approve it herself, pat approves, prod runs 0.2.0, pat rolls it back to 0.1.0, DORA counts it', async () => {
    const { '0.2.0': digest } = await registry.push('inference', '0.2.0');
    const ana = await openDevopsTab(ANA);

    // ana deploys 0.2.0 to dev by picking it among the registry's versions, newest first.
    const row = (env: string) =>
      ana.locator('tr', { has: ana.getByTestId(`git-tag-${env}`) });
    const dialog = ana.getByRole('dialog');
    await row('dev').getByRole('button', { name: 'Deploy tag' }).click(WAIT);
    expect(await registryVersionsShown(dialog)).toEqual([
      'Version 0.2.0',
      'Version 0.1.0',
    ]);
    await pickRegistryVersion(dialog, '0.2.0');
    await screenshotsAtBothWidths(ana, 'walk-01-pick-from-registry');
    await ana.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Deploy 0.2.0' }).click();
    await ana
      .getByTestId('git-tag-dev')
      .filter({ hasText: /^0\.2\.0$/ })
      .waitFor(WAIT);
    expect(gitTag(remote, 'charts/inference/values.yaml')).toBe('0.2.0');
    expect(remote.git('log', '-1', '--format=%B', 'main')).toContain(
      `local-registry/inference:0.2.0@${digest}`,
    );
    clusterRuns(apps, 'dev', '0.2.0');

    // pre-prod holds the promotion until 0.2.0 has soaked in dev, saying so, then offers it.
    const promote = stage(ana, 'pre-prod').getByRole('button', {
      name: 'Promote 0.2.0 from dev',
    });
    await promote.waitFor(WAIT);
    // Read again at the latest at the next poll, once Argo CD reports dev on 0.2.0.
    await ana
      .getByTestId('promotion-reason-pre-prod')
      .filter({
        hasText: new RegExp(
          `^0\\.2\\.0 has run in dev for \\d+ s of ${SOAK_SECONDS} s soak`,
        ),
      })
      .waitFor(WAIT);
    expect(await promote.isDisabled()).toBe(true);
    await screenshotsAtBothWidths(ana, 'walk-02-soaking');
    await ana.setViewportSize({ width: 1280, height: 800 });

    // A tag the registry does not hold is refused (the server's 400 in the dialog), nothing committed.
    const head = remote.git('rev-parse', 'main');
    await row('pre-prod').getByRole('button', { name: 'Deploy tag' }).click();
    await dialog.getByTestId('registry-versions').waitFor(WAIT);
    await dialog.getByLabel('Image tag').fill('0.9.9');
    await dialog.getByRole('button', { name: 'Show change' }).click();
    await dialog.getByLabel('Change to the values file').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Deploy 0.9.9' }).click();
    await dialog
      .getByText('tag: "0.9.9" is not in local-registry/inference', {
        exact: false,
      })
      .waitFor(WAIT);
    expect(remote.git('rev-parse', 'main')).toBe(head);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });

    await ana
      .locator(
        '[data-testid="pipeline-stage-pre-prod"] button:not([disabled])',
        { hasText: 'Promote 0.2.0 from dev' },
      )
      .waitFor({ timeout: (SOAK_SECONDS + 120) * 1000 });
    await promote.click();
    await ana
      .getByRole('status')
      .filter({ hasText: 'Promoted 0.2.0 to pre-prod' })
      .waitFor(WAIT);
    expect(gitTag(remote, 'charts/inference/values-pre-prod.yaml')).toBe(
      '0.2.0',
    );
    clusterRuns(apps, 'pre-prod', '0.2.0');

    // Neither may deploy prod directly: ana is not a prod deployer, pat does not own the service.
    for (const user of [ANA, PAT]) {
      const direct = await api(user, '/deployments', {
        entityRef: ENTITY,
        environment: 'prod',
        tag: '0.2.0',
      });
      expect({ user, status: direct.status }).toEqual({ user, status: 403 });
    }
    // Only owners request: pat's request is refused and audited.
    const patRequest = await api(PAT, '/deployments/promotions/requests', {
      entityRef: ENTITY,
      environment: 'prod',
      version: '0.2.0',
    });
    expect(patRequest.status).toBe(403);
    // A strict body: an unknown field is a 400 naming it.
    const extra = await api(ANA, '/deployments/promotions/requests', {
      entityRef: ENTITY,
      environment: 'prod',
      version: '0.2.0',
      approver: PAT,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain('approver');

    // ana requests it from the Pipeline's prod stage.
    const request = ana.locator(
      '[data-testid="pipeline-stage-prod"] button:not([disabled])',
      { hasText: 'Request promotion of 0.2.0' },
    );
    await request.waitFor(WAIT);
    await screenshotsAtBothWidths(ana, 'prod-approval-request');
    await request.click();
    await ana
      .getByRole('status')
      .filter({ hasText: /Requested 0\.2\.0 for prod \(request #\d+\)/ })
      .waitFor(WAIT);
    const anaPending = ana.getByTestId('production-request-prod');
    await anaPending.waitFor(WAIT);
    expect(
      await anaPending
        .getByRole('button', { name: 'Approve and deploy 0.2.0' })
        .isDisabled(),
    ).toBe(true);
    expect(
      await anaPending.getByTestId('approve-reason-prod').textContent(),
    ).toMatch(/you requested this promotion/);
    await anaPending.getByText(`user:default/${ANA}`).waitFor();
    await anaPending.getByText(/^✓ requests \d+ ≥ 50 minimum$/).waitFor();
    expect(await noSidewaysScroll(ana)).toBe(true);
    await screenshotsAtBothWidths(ana, 'prod-approval-requester');

    const listed = await api(
      ANA,
      `/deployments/promotions/requests?${new URLSearchParams({
        entityRef: ENTITY,
      })}`,
    );
    const pending = listed.body.items[0];
    expect(pending).toMatchObject({
      status: 'pending',
      version: '0.2.0',
      fromEnvironment: 'pre-prod',
      requestedBy: `user:default/${ANA}`,
      evidence: {
        promotion: { allowed: true },
        verification: { verified: true },
      },
    });
    // Through the API too the requester cannot approve: 403, audited as denied, nothing committed.
    const own = await api(
      ANA,
      `/deployments/promotions/requests/${pending.id}/approve`,
      {},
    );
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/four-eyes/);
    expect(gitTag(remote, PROD_VALUES)).not.toBe('0.2.0');

    // pat, a prod deployer, approves it in his own session.
    const pat = await openDevopsTab(PAT);
    const patPending = pat.getByTestId('production-request-prod');
    await patPending.waitFor(WAIT);
    await patPending
      .getByLabel('Comment (required to reject)')
      .fill('pre-prod checks look right');
    const approve = patPending.getByRole('button', {
      name: 'Approve and deploy 0.2.0',
    });
    expect(await approve.isDisabled()).toBe(false);
    await screenshotsAtBothWidths(pat, 'prod-approval-approver');
    await approve.click();
    await pat
      .getByRole('status')
      .filter({ hasText: /Approved request #\d+: 0\.2\.0 deployed to prod/ })
      .waitFor(WAIT);
    await prodRuns('0.2.0', pat);

    // ana's open page follows by itself: the request is gone, prod runs 0.2.0.
    await anaPending.waitFor({ state: 'detached', ...WAIT });
    await stage(ana, 'prod')
      .locator('strong', { hasText: /^0\.2\.0$/ })
      .first()
      .waitFor(WAIT);
    await screenshotsAtBothWidths(pat, 'prod-approval-approved');

    // Roll prod back. ana owns the service but is no prod deployer: her history says so before any
    // click. pat's offers 0.1.0, since 0.2.0 has served no request in prod (its verification fails now).
    const anaProdRollback = ana.getByTestId('rollback-prod');
    await anaProdRollback
      .getByText(
        'Only production deployers (group:default/prod-deployers) may roll back production',
      )
      .waitFor(WAIT);
    expect(await anaProdRollback.getByRole('button').isDisabled()).toBe(true);
    const rollback = pat
      .getByTestId('rollback-prod')
      .getByRole('button', { name: 'Roll back to 0.1.0' });
    await rollback.waitFor(WAIT);
    expect(await rollback.isDisabled()).toBe(false);
    await rollback.click();
    const confirm = pat.getByRole('dialog');
    await confirm
      .getByText(
        /^Why 0\.1\.0: it ran before 0\.2\.0, and 0\.2\.0 fails its verification now \(requests 0 < 50 minimum/,
      )
      .waitFor(WAIT);
    // Production asks for its name before the rollback.
    const rollBack = confirm.getByRole('button', {
      name: 'Roll back to 0.1.0',
    });
    expect(await rollBack.isDisabled()).toBe(true);
    await confirm.getByLabel('Confirm environment name').fill('prod');
    await screenshotsAtBothWidths(pat, 'prod-approval-rollback-dialog');
    await pat.setViewportSize({ width: 1280, height: 800 });
    await rollBack.click();
    await pat
      .getByRole('status')
      .filter({ hasText: 'Rolled prod back from 0.2.0 to 0.1.0' })
      .waitFor(WAIT);
    await prodRuns('0.1.0', ana);

    // DORA counts prod's two deploys, the promotion marked failed by the rollback.
    await pat.reload();
    await pat.locator('#dora-environment').click(WAIT);
    await pat.getByRole('option', { name: 'Production', exact: true }).click();
    const frequency = pat.getByTestId('dora-deployment-frequency');
    await frequency.getByText('2 deploys', { exact: true }).waitFor(WAIT);
    const failures = pat.getByTestId('dora-change-failure-rate');
    await failures.getByText('50 %', { exact: true }).waitFor(WAIT);
    await failures.getByText(/^1 failed of 2 deploys/).waitFor(WAIT);
    await screenshotsAtBothWidths(pat, 'prod-approval-dora');

    const audit = await prodAudit();
    const of = (action: string, result: string) =>
      audit.find(a => a.action === action && a.result === result);
    expect(of('request-production', 'denied')).toMatchObject({
      actor: `user:default/${PAT}`,
    });
    expect(of('request-production', 'success')).toMatchObject({
      actor: `user:default/${ANA}`,
      after: '0.2.0',
    });
    expect(of('approve-production', 'denied')).toMatchObject({
      actor: `user:default/${ANA}`,
    });
    expect(of('approve-production', 'success')).toMatchObject({
      actor: `user:default/${PAT}`,
      message: expect.stringContaining('pre-prod checks look right'),
    });
    expect(of('promote-version', 'success')).toMatchObject({
      actor: `user:default/${PAT}`,
      after: '0.2.0',
    });
    expect(of('rollback', 'success')).toMatchObject({
      actor: `user:default/${PAT}`,
      before: '0.2.0',
      after: '0.1.0',
      commit: remote.git('rev-parse', 'main'),
    });
    await ana.context().close();
    await pat.context().close();
  }, 600_000);

  it('pat breaks glass with a written reason: deployed, audited and shown as break glass', async () => {
    // The fix is released to the registry.
    const { '0.2.1': digest } = await registry.push('inference', '0.2.1');
    // Too short a reason is a 400 naming it; an owner may not break glass.
    const short = await api(PAT, '/deployments/break-glass', {
      entityRef: ENTITY,
      environment: 'prod',
      version: '0.2.1',
      reason: 'urgent',
    });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/^reason/);
    const owner = await api(ANA, '/deployments/break-glass', {
      entityRef: ENTITY,
      environment: 'prod',
      version: '0.2.1',
      reason: 'prod is down and nobody else is around',
    });
    expect(owner.status).toBe(403);

    const pat = await openDevopsTab(PAT);
    const open = pat.getByRole('button', { name: 'Break glass…' });
    await open.waitFor(WAIT);
    await open.click();
    const dialog = pat.getByRole('dialog');
    await dialog.getByLabel('Version').fill('0.2.1');
    const reason =
      'prod answers 500s since the 0.2.0 deploy; 0.2.1 holds the fix';
    await dialog.getByLabel(/^Reason/).fill(reason);
    await screenshotsAtBothWidths(pat, 'prod-approval-break-glass-dialog');
    await dialog
      .getByRole('button', { name: 'Break glass and deploy 0.2.1' })
      .click();
    await pat
      .getByRole('status')
      .filter({ hasText: /Break glass: 0\.2\.1 deployed to prod/ })
      .waitFor(WAIT);
    expect(gitTag(remote, PROD_VALUES)).toBe('0.2.1');

    const entry = pat.getByTestId('production-history-break-glass').first();
    await entry.waitFor(WAIT);
    await entry.getByText('BREAK GLASS', { exact: true }).waitFor();
    await entry.getByText(`reason: ${reason}`).waitFor();
    expect(await noSidewaysScroll(pat)).toBe(true);
    await screenshotsAtBothWidths(pat, 'prod-approval-break-glass');

    const audit = await prodAudit();
    expect(audit[0]).toMatchObject({
      actor: `user:default/${PAT}`,
      action: 'break-glass',
      result: 'success',
      before: '0.1.0',
      after: '0.2.1',
      commit: remote.git('rev-parse', 'main'),
      message: `reason: ${reason}; image local-registry/inference:0.2.1@${digest}`,
    });
    expect(
      audit.find(a => a.action === 'break-glass' && a.result === 'denied'),
    ).toMatchObject({ actor: `user:default/${ANA}` });
    await pat.context().close();
  });
});
