/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { launchChromium, signInAsGuest } from './support/browser';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  repoRoot,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * The "New environment" template from the Create page on the local stack: the real backend with its
 * own GitOps remote (a bare repository from scripts/init-gitops-remote.sh in a temp dir) and its own
 * Terraform state and run directories, the sandbox stacks with the real terraform, the built
 * frontend and chromium. The registered entity file goes to .run/catalog (the catalog location the
 * config lists) and is removed afterwards.
 */
jest.setTimeout(300_000);

let portal: RunningPortal;
let browser: Browser;
let tmp: string;
let remote: string;
const name = `e2e${process.pid % 100000}`;

const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', remote, ...args], {
    encoding: 'utf8',
  }).trim();

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-newenv-'));
  remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
        join(tmp, 'state'),
      ),
      APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(join(tmp, 'runs')),
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await rm(resolve(repoRoot, '.run/catalog', `${name}.yaml`), { force: true });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('new environment from the Create page', () => {
  it("creates an environment on the sandbox stacks; its run and log show on the environment's Infrastructure tab", async () => {
    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1400,
      height: 1000,
    });

    await page.goto(
      `${portal.baseUrl}/create/templates/default/new-environment`,
    );
    await page.getByLabel('Name').first().fill(name, { timeout: 60_000 });
    const owner = page.getByLabel('Owner group').first();
    await owner.click({ timeout: 30_000 });
    await owner.fill('ML');
    await page
      .getByRole('option', { name: /ML team/ })
      .first()
      .click({ timeout: 30_000 });
    for (let step = 0; step < 3; step++) {
      await page
        .getByRole('button', { name: 'Next' })
        .click({ timeout: 30_000 });
      await page.screenshot({
        path: join(resultsDir, `new-environment-step-${step + 2}.png`),
      });
    }
    await page
      .getByRole('button', { name: 'Review' })
      .click({ timeout: 30_000 });
    await page.screenshot({
      path: join(resultsDir, 'new-environment-review.png'),
    });
    await page
      .getByRole('button', { name: 'Create' })
      .click({ timeout: 30_000 });

    await page
      .getByRole('link', { name: 'Terraform run' })
      .waitFor({ timeout: 180_000 });
    await page.screenshot({
      path: join(resultsDir, 'new-environment-done.png'),
    });
    // The template's commit, then the run's commit of the Terraform outputs into the environment's files.
    expect(git('log', '-2', '--format=%s', 'main').split('\n')).toEqual([
      expect.stringMatching(
        /^environment\([a-z0-9-]+\): Terraform outputs of run /,
      ),
      `Add environment ${name} (based on pre-prod)`,
    ]);
    expect(
      git('show', `main:infra/environments/${name}/cluster.tfvars`),
    ).toContain(`environment         = "${name}"`);

    // The new environment's page (registered in the catalog by the template) lists its run; the
    // stack's log is there.
    // The catalog processes the registered file in its own loop: an entity page opened before that
    // says "not found" and does not look again, so open it again until the entity is there (90 s).
    const description = page
      .getByText(`Environment created from the portal, based on pre-prod.`)
      .first();
    const registeredBy = Date.now() + 90_000;
    for (;;) {
      await page.goto(`${portal.baseUrl}/catalog/default/resource/${name}`);
      try {
        await description.waitFor({ timeout: 15_000 });
        break;
      } catch (e) {
        if (Date.now() > registeredBy) throw e;
      }
    }
    await page.goto(
      `${portal.baseUrl}/catalog/default/resource/${name}/infrastructure`,
    );
    // The run's row in the runs table (the environment page has other tables naming it: drift).
    const row = page
      .getByRole('table', { name: 'Terraform runs' })
      .locator('tr', { hasText: name })
      .first();
    await row.waitFor({ timeout: 60_000 });
    await row.getByText('succeeded').waitFor({ timeout: 60_000 });
    // Open the run by its status, not the row's middle (the starter is a link to the user).
    await row.getByText('succeeded').click({ timeout: 30_000 });
    const log = page.getByLabel('cluster log');
    await log
      .getByText(/Apply complete!/)
      .waitFor({ timeout: 60_000 })
      .catch(async e => {
        await page.screenshot({
          path: join(resultsDir, 'new-environment-infrastructure-failed.png'),
          fullPage: true,
        });
        throw e;
      });
    await page.screenshot({
      path: join(resultsDir, 'new-environment-infrastructure.png'),
    });

    // The new environment is the service's environment now (its spec.dependencyOf names
    // inference-service), so the service's DevOps tab lists its run in the Infrastructure section, with
    // no restart and no edit of the service's entity.
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const serviceRow = page
      .locator('tr', { hasText: name })
      .filter({ hasText: 'succeeded' })
      .first();
    await serviceRow.waitFor({ timeout: 90_000 });
    expect(
      await page
        .getByText(
          'No terraform run yet. Create an environment from the Create page.',
        )
        .count(),
    ).toBe(0);
    await page.screenshot({
      path: join(resultsDir, 'new-environment-service-devops.png'),
      fullPage: true,
    });
  });
});
