/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { resolve } from 'node:path';
import {
  DeploymentsPortal,
  startDeploymentsPortal,
} from './support/deploymentsPortal';
import { guestToken, resultsDir } from './support/portal';
import {
  launchChromium,
  environmentsCardFit,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';

/*
 * Deploy from the DevOps tab on the local stack: the real backend with its own GitOps remote (a bare
 * repository made by scripts/init-gitops-remote.sh in a temp dir), the built frontend and chromium.
 * No Argo CD is configured, so the card must say "not connected". The guest user is in ml-team, the
 * owner of inference-service, so it may deploy to dev.
 */
let portal: DeploymentsPortal;
let browser: Browser;

const git = (...args: string[]) => portal.remote.git(...args);

beforeAll(async () => {
  portal = await startDeploymentsPortal({ name: 'deploy' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('deploy from the DevOps tab', () => {
  it('refuses a bad tag through the API and commits nothing', async () => {
    const token = await guestToken(portal.baseUrl);
    const before = git('rev-parse', 'main');
    const res = await fetch(`${portal.baseUrl}/api/devops-app/deployments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        entityRef: 'component:default/inference-service',
        environment: 'dev',
        tag: '1.0; rm -rf /',
      }),
    });
    expect(res.status).toBe(400);
    expect(git('rev-parse', 'main')).toBe(before);
  });

  it('deploys a new tag to dev: one commit changing image.tag, the row and history show it', async () => {
    const tag = `0.9.${process.pid}`;
    const before = git('rev-parse', 'main');
    const page = await signInAsGuest(browser, portal.baseUrl);
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );

    const gitTag = page.getByTestId('git-tag-dev');
    await gitTag.waitFor({ timeout: 90_000 });
    await page
      .getByText('0.1.0', { exact: true })
      .first()
      .waitFor({ timeout: 60_000 });
    expect(await gitTag.textContent()).toBe('0.1.0');
    // Every environment's tag is read from git (in parallel) on one status request.
    expect(await page.getByTestId('git-tag-pre-prod').textContent()).toBe(
      '0.1.0',
    );
    expect(await page.getByTestId('git-tag-prod').textContent()).toBe('0.1.0');
    await page.getByText('Argo CD not connected').waitFor();
    expect(
      await page.getByText('devopsApp.argocd.instances').count(),
    ).toBeGreaterThan(0);
    await page.screenshot({
      path: resolve(resultsDir, 'deploy-01-card.png'),
      fullPage: true,
    });

    // At 1280 x 800 the Environments card fits: its Deploy button is inside the viewport and the card,
    // and the page does not scroll sideways. Screenshots at 1280 and 1920 show it.
    expect(await environmentsCardFit(page, 'dev')).toEqual({
      buttonInViewport: true,
      buttonInCard: true,
      pageScrollsSideways: false,
    });
    await screenshotsAtBothWidths(page, 'deploy-01-card-fit');

    // A second tab (same signed-in session) on the DevOps tab: the deploy reaches it as a Backstage signal over the backend's
    // WebSocket (not by its 15 s poll), and its row shows the new tag.
    const viewer = await page.context().newPage();
    const signalFrames: string[] = [];
    viewer.on('websocket', ws =>
      ws.on('framereceived', frame => signalFrames.push(String(frame.payload))),
    );
    await viewer.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    await viewer.getByTestId('git-tag-dev').waitFor({ timeout: 90_000 });

    const devRow = page.locator('tr', { has: page.getByTestId('git-tag-dev') });
    await devRow.getByRole('button', { name: 'Deploy tag' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Image tag').fill(tag);
    await dialog.getByRole('button', { name: 'Show change' }).click();
    const diff = dialog.getByLabel('Change to the values file');
    await diff.waitFor();
    expect(await diff.textContent()).toContain(`+  tag: "${tag}"`);
    await page.screenshot({
      path: resolve(resultsDir, 'deploy-02-dialog.png'),
      fullPage: true,
    });
    await dialog.getByRole('button', { name: `Deploy ${tag}` }).click();

    await page.waitForFunction(
      expected =>
        document.querySelector('[data-testid="git-tag-dev"]')?.textContent ===
        expected,
      tag,
      { timeout: 60_000 },
    );
    await page
      .getByTestId('last-deploy-dev')
      .getByText(`${tag} by guest`)
      .waitFor();
    await page.getByText(`0.1.0 → ${tag}`).waitFor();
    await viewer.waitForFunction(
      expected =>
        document.querySelector('[data-testid="git-tag-dev"]')?.textContent ===
        expected,
      tag,
      { timeout: 30_000 },
    );
    const signal = signalFrames.find(f =>
      f.includes('devops-app:deployments:component:default/inference-service'),
    );
    expect(signal).toBeDefined();
    expect(signal).toContain('"action":"deploy"');
    await viewer.close();
    await page.screenshot({
      path: resolve(resultsDir, 'deploy-03-deployed.png'),
      fullPage: true,
    });

    // Exactly one new commit on the remote, changing only the tag line of values.yaml.
    const after = git('rev-parse', 'main');
    expect(git('rev-list', '--count', `${before}..${after}`)).toBe('1');
    expect(git('diff', '--name-only', before, after)).toBe(
      'charts/inference/values.yaml',
    );
    const changed = git('diff', '-U0', before, after)
      .split('\n')
      .filter(l => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(changed).toEqual(['-  tag: "0.1.0"', `+  tag: "${tag}"`]);
    expect(git('log', '-1', '--format=%an', 'main')).toBe('user:default/guest');
  });
});
