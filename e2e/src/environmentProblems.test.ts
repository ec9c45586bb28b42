/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  launchChromium,
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
 * Issue 12, bad input: an environment entity of the service with malformed annotations (a namespace that
 * is no DNS label, a prometheus-url that is not http, an Argo CD instance the portal does not have). The
 * DevOps tab shows its problems in its own row, naming each annotation, with its actions disabled, and
 * the other rows work; a deploy to it through the API is a 400 naming the annotations and writes nothing
 * (no commit on the GitOps remote, no audit entry); its Metrics say what is wrong instead of charting.
 */
jest.setTimeout(300_000);

const ENV = `broken${process.pid % 100000}`;
const catalogFile = resolve(repoRoot, '.run/catalog', `${ENV}.yaml`);

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let tmp: string;
let remote: string;

const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', remote, ...args], {
    encoding: 'utf8',
  }).trim();

const screenshots = screenshotsAtBothWidths;

beforeAll(async () => {
  // In the local catalog's file location before the backend starts, as the template's register step
  // would leave it.
  await mkdir(resolve(repoRoot, '.run/catalog'), { recursive: true });
  await writeFile(
    catalogFile,
    `apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ${ENV}
  annotations:
    devops-app.io/namespace: Bad_NS
    devops-app.io/prometheus-url: ftp://prometheus.example.com
    devops-app.io/argocd-instance: nowhere
spec:
  type: environment
  owner: group:default/ml-team
  system: devops-app
  dependencyOf: [component:default/inference-service]
`,
  );
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-problems-'));
  remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    logFile: resolve(resultsDir, 'backend-environment-problems.log'),
    env: { APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote) },
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
  await rm(catalogFile, { force: true });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('an environment with malformed annotations', () => {
  it('shows its problems in its own row, actions disabled; the other rows work', async () => {
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const rowOf = (name: string) =>
      page.locator('tr', {
        has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }),
      });
    const broken = rowOf(ENV);
    await broken.waitFor({ timeout: 90_000 });
    await broken
      .getByText('devops-app.io/namespace')
      .first()
      .waitFor({ timeout: 30_000 });
    const text = await broken.innerText();
    expect(text).toContain('"Bad_NS" is not a DNS label');
    expect(text).toContain('devops-app.io/prometheus-url');
    expect(text).toContain(
      '"nowhere" is not an Argo CD instance of the portal',
    );
    for (const label of ['Deploy tag', 'Sync', 'Promote', 'Abort']) {
      expect(
        await broken.getByRole('button', { name: label }).isDisabled(),
      ).toBe(true);
    }
    // The other rows are whole: dev reads its tag from git and may be deployed by its owner.
    const dev = rowOf('dev');
    await page.waitForFunction(
      () =>
        /\d/.test(
          document.querySelector('[data-testid="git-tag-dev"]')?.textContent ??
            '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    expect(await dev.innerText()).toContain('inference-dev');
    expect(
      await dev.getByRole('button', { name: 'Deploy tag' }).isDisabled(),
    ).toBe(false);
    await broken.scrollIntoViewIfNeeded();
    await screenshots(page, 'environment-problems-01-card');

    // Its Metrics name the problem instead of charting; dev's still chart.
    const metricsCard = page
      .locator('.MuiCard-root')
      .filter({ hasText: "From Prometheus, through the portal's backend" });
    await metricsCard
      .locator('[role="button"][aria-labelledby^="metrics-environment-label"]')
      .click({ timeout: 30_000 });
    await page
      .getByRole('option', { name: ENV, exact: true })
      .click({ timeout: 30_000 });
    await metricsCard
      .getByText(/ftp:\/\/prometheus\.example\.com/)
      .first()
      .waitFor({ timeout: 30_000 });
    await metricsCard.scrollIntoViewIfNeeded();
    await screenshots(page, 'environment-problems-02-metrics');
  });

  it('refuses a deploy to it with a 400 naming the annotations, and writes nothing', async () => {
    const headers = {
      Authorization: `Bearer ${await guestToken(portal.baseUrl)}`,
      'Content-Type': 'application/json',
    };
    const commits = git('rev-list', '--count', 'main');
    const res = await fetch(`${portal.baseUrl}/api/devops-app/deployments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        entityRef: 'component:default/inference-service',
        environment: ENV,
        tag: '0.2.0',
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { name: string; message: string };
    };
    expect(body.error.name).toBe('InputError');
    expect(body.error.message).toMatch(
      new RegExp(
        `^environment: environment "${ENV}" \\(resource:default/${ENV}\\) cannot be used: devops-app\\.io/namespace: "Bad_NS" is not a DNS label`,
      ),
    );
    expect(body.error.message).toContain('devops-app.io/argocd-instance');
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
    expect(git('rev-list', '--count', 'main')).toBe(commits);
    const audit = await fetch(
      `${portal.baseUrl}/api/devops-app/audit?entityRef=component:default/inference-service&environment=${ENV}`,
      { headers },
    );
    expect(audit.status).toBe(200);
    expect(((await audit.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
