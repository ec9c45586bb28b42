/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  launchChromium,
  environmentsCardFit,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import {
  guestToken,
  repoRoot,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * Issue 13, drift detection in the browser: dev is applied on the sandbox stacks (the real terraform,
 * state in a temporary directory); the Environments card's Drift column says "not checked", Check now
 * makes it "in sync" with the check's time; the storage stack's lifecycle rule changed out of band
 * (in the sandbox's state, where the sandbox keeps its resources) makes the next Check now say
 * "storage: drifted +0 ~1 -0".
 */
jest.setTimeout(600_000);

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-drift-'));
  const remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    logFile: resolve(resultsDir, 'backend-drift.log'),
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
        join(tmp, 'state'),
      ),
      APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(join(tmp, 'runs')),
    },
  });
  browser = await launchChromium();
  page = await signInAsGuest(browser, portal.baseUrl, {
    width: 1280,
    height: 800,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function applyDev() {
  const headers = {
    Authorization: `Bearer ${await guestToken(portal.baseUrl)}`,
    'Content-Type': 'application/json',
  };
  const api = `${portal.baseUrl}/api/devops-app/terraform`;
  const started = await fetch(`${api}/runs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ environment: 'dev', mode: 'apply' }),
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  const deadline = Date.now() + 240_000;
  for (;;) {
    const run = (await (
      await fetch(`${api}/runs/${id}`, { headers })
    ).json()) as { status: string; error?: string };
    if (!['queued', 'running'].includes(run.status)) {
      expect([run.status, run.error]).toEqual(['succeeded', undefined]);
      return;
    }
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

describe('drift on the Environments card', () => {
  it('shows not checked, then in sync after Check now, then the out-of-band change as drifted with counts', async () => {
    await applyDev();
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const cell = page.getByTestId('drift-dev');
    await cell.waitFor({ timeout: 90_000 });
    await cell.getByText('not checked').waitFor({ timeout: 30_000 });

    await cell.getByRole('button', { name: 'Check dev for drift now' }).click();
    await cell.getByText('in sync').waitFor({ timeout: 120_000 });
    await cell.getByText(/^checked \d/).waitFor({ timeout: 30_000 });
    await cell.scrollIntoViewIfNeeded();
    await screenshotsAtBothWidths(page, 'drift-01-in-sync');

    const stateFile = join(tmp, 'state', 'dev', 'storage.tfstate');
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    const rule = state.resources.find(
      (r: { name: string }) => r.name === 'treated_images_lifecycle',
    ).instances[0].attributes;
    rule.input.value.delete_after_days = 1;
    rule.output.value.delete_after_days = 1;
    await writeFile(stateFile, JSON.stringify(state, null, 2));

    await cell.getByRole('button', { name: 'Check dev for drift now' }).click();
    await cell.getByText('drifted +0 ~1 -0').waitFor({ timeout: 120_000 });
    expect(await cell.innerText()).toMatch(/storage:\s*drifted \+0 ~1 -0/);
    // The card still fits 1280 px with the drift of each stack: its actions in view, nothing
    // scrolls sideways.
    expect(await environmentsCardFit(page, 'dev')).toEqual({
      buttonInViewport: true,
      buttonInCard: true,
      pageScrollsSideways: false,
    });
    await cell.scrollIntoViewIfNeeded();
    await screenshotsAtBothWidths(page, 'drift-02-drifted');
  });
});
