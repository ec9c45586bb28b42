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
  clusterRuns,
  devopsAppApi,
  gitTag,
  pipelineApps,
  standInConfig,
} from './support/pipelineStandIns';

/*
 * Production's four-eyes approval and break glass (issue 14) with two real users on the real backend
 * and the built frontend: ana.ml (ml-team, the service's owner) and pat.platform (prod-deployers),
 * signed in through the oauth2-proxy overlay (support/identities.ts). A GitOps remote of its own, the
 * Argo CD stand-in, and a real Prometheus holding healthy samples of 0.2.0 in dev and pre-prod; soak
 * times 0, so prod may take 0.2.0 as soon as pre-prod runs it. ana requests prod, cannot approve her
 * own request (the button disabled with the reason, the API 403 audited), pat approves it and prod
 * runs 0.2.0; ana's open page follows by itself (signals). Then pat breaks glass with a reason: audited
 * and shown as break glass in the history.
 */
const ENTITY = 'component:default/inference-service';
const TOKEN = `argocd-e2e-prod-approval-${process.pid}`;
const WAIT = { timeout: 180_000 };

let remote: GitOpsRemote;
let portal: RunningPortal;
let browser: Browser;
let prometheus: RunningPrometheus;
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
      APP_CONFIG_devopsApp_promotion: JSON.stringify({
        // The samples end 15 s before the test starts: read a window that holds many scrapes.
        verification: {
          maxErrorRatio: 0.01,
          maxP95Seconds: 0.5,
          minRequests: 50,
          minWindowSeconds: 1800,
        },
        stages: {
          'pre-prod': { soak: { seconds: 0 } },
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

/** The page does not scroll sideways at its width. */
const noSidewaysScroll = (page: Page) =>
  page.evaluate(
    () =>
      document.documentElement.scrollWidth <=
      document.documentElement.clientWidth,
  );

describe('production: four-eyes approval and break glass', () => {
  it('ana requests prod, cannot approve it herself, pat approves it and prod runs 0.2.0', async () => {
    // 0.2.0 runs, verified, in dev and pre-prod (ana owns the service: non-production is hers).
    for (const environment of ['dev', 'pre-prod'] as const) {
      const deployed = await api(ANA, '/deployments', {
        entityRef: ENTITY,
        environment,
        tag: '0.2.0',
      });
      expect({ environment, status: deployed.status }).toEqual({
        environment,
        status: 201,
      });
      clusterRuns(apps, environment, '0.2.0');
    }
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
    const ana = await openDevopsTab(ANA);
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
    expect(gitTag(remote, PROD_VALUES)).toBe('0.2.0');
    clusterRuns(apps, 'prod', '0.2.0');
    await stage(pat, 'prod')
      .locator('strong', { hasText: /^0\.2\.0$/ })
      .first()
      .waitFor(WAIT);

    // ana's open page follows by itself: the request is gone, prod runs 0.2.0.
    await anaPending.waitFor({ state: 'detached', ...WAIT });
    await stage(ana, 'prod')
      .locator('strong', { hasText: /^0\.2\.0$/ })
      .first()
      .waitFor(WAIT);
    await screenshotsAtBothWidths(pat, 'prod-approval-approved');

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
      commit: remote.git('rev-parse', 'main'),
    });
    await ana.context().close();
    await pat.context().close();
  });

  it('pat breaks glass with a written reason: deployed, audited and shown as break glass', async () => {
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
      before: '0.2.0',
      after: '0.2.1',
      commit: remote.git('rev-parse', 'main'),
      message: `reason: ${reason}`,
    });
    expect(
      audit.find(a => a.action === 'break-glass' && a.result === 'denied'),
    ).toMatchObject({ actor: `user:default/${ANA}` });
    await pat.context().close();
  });
});
