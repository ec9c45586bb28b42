/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
 * Issue 13, "Teardown and expiry", in the browser: the real backend serving the built frontend, with its
 * own GitOps remote (scripts/init-gitops-remote.sh in a temp dir) and Terraform directories, the
 * sandbox stacks with the real terraform, chromium signed in as the guest (ml-team, the owner of the
 * environments it creates).
 *
 * - ttl-test is created from the Create page with an expiry of 1 day; its page shows the time left;
 *   Extend moves it by a day (one commit); "Remove environment" with the typed name destroys it:
 *   monitoring and storage end before the cluster starts (the run's per-stack times), one commit
 *   removes exactly its files, the entity leaves the catalog (API and page), its run stays readable.
 * - dev (protected) offers no removal on its page, and the route refuses it with the reason.
 * - The "Remove environment" template removes ttl-two (created through the scaffolder API).
 * - Expiry: the expiry task runs every 5 s here (devopsApp.terraform.expiry.checkIntervalSeconds);
 *   ttl-exp is created through the scaffolder API with the smallest expiry the form offers (4 h), then
 *   its registered catalog file (.run/catalog/ttl-exp.yaml, which the catalog reads) gets an expiry in
 *   the past and the entity is refreshed: the task removes it through the same path, audited as
 *   system:expiry.
 */
jest.setTimeout(600_000);

const ENV = 'ttl-test';
const SECOND = 'ttl-two';
const EXPIRING = 'ttl-exp';
const catalogDir = resolve(repoRoot, '.run/catalog');
const registered = (env: string) => join(catalogDir, `${env}.yaml`);

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let tmp: string;
let remote: string;
let token: string;
/** The destroy run "Remove environment" started for ttl-test. */
let destroyRunId = '';

const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', remote, ...args], {
    encoding: 'utf8',
  }).trim();

const screenshots = screenshotsAtBothWidths;

/** The removal of `environment` is audited: the destroy decision and the removal's outcome, by `actor`. */
async function expectRemovalAudited(
  environment: string,
  actor: string,
  more: { destroy?: object; remove?: object } = {},
) {
  const audit = await api(
    `/api/devops-app/audit?environment=${environment}&limit=50`,
  );
  expect(audit.body.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        actor,
        action: 'destroy',
        result: 'success',
        ...more.destroy,
      }),
      expect.objectContaining({
        actor,
        action: 'remove',
        result: 'success',
        ...more.remove,
      }),
    ]),
  );
}

async function api<T = any>(
  path: string,
  init: { method?: string; body?: object } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${portal.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body };
}

/** Waits for `check` to answer something other than undefined, every 2 s, up to `ms`. */
async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${ms / 1000} s`);
    }
    await new Promise(r => setTimeout(r, 2000));
  }
}

/** Runs a template through the scaffolder's API as the guest; answers when its task has ended. */
async function runTemplate(template: string, values: Record<string, unknown>) {
  const created = await api<{ id: string }>('/api/scaffolder/v2/tasks', {
    method: 'POST',
    body: { templateRef: `template:default/${template}`, values },
  });
  expect(created.status).toBe(201);
  const { id } = created.body;
  const status = await waitFor(
    `task ${id} of ${template}`,
    420_000,
    async () => {
      const task = await api<{ status: string }>(
        `/api/scaffolder/v2/tasks/${id}`,
      );
      return ['completed', 'failed', 'cancelled'].includes(task.body.status)
        ? task.body.status
        : undefined;
    },
  );
  if (status !== 'completed') {
    const events = await api<Array<{ body: { message?: string } }>>(
      `/api/scaffolder/v2/tasks/${id}/events`,
    );
    const log = events.body
      .map(e => e.body.message)
      .filter(Boolean)
      .slice(-30)
      .join('\n');
    throw new Error(`task of ${template} ${status}:\n${log}`);
  }
  return id;
}

/** A new environment of the guest's ml-team from templates/new-environment, through the API. */
function createEnvironment(name: string, expiry: string) {
  return runTemplate('new-environment', {
    name,
    basedOn: 'resource:default/pre-prod',
    owner: 'group:default/ml-team',
    location: 'westeurope',
    nodeCount: 1,
    vmSize: 'Standard_D2ds_v5',
    replicas: 1,
    imageTag: '0.1.0',
    autoPromotion: true,
    expiry,
    mode: 'apply',
    publishTarget: 'local',
  });
}

/** Opens the entity page of an environment, again until the catalog has processed its file. */
async function openEnvironmentPage(name: string) {
  const card = page.getByTestId('environment-lifecycle');
  const deadline = Date.now() + 120_000;
  for (;;) {
    await page.goto(`${portal.baseUrl}/catalog/default/resource/${name}`);
    try {
      await card.waitFor({ timeout: 20_000 });
      return card;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
}

/** The entity is gone from the catalog's API (404), within 120 s. */
async function goneFromCatalog(name: string) {
  return waitFor(`${name} gone from the catalog`, 120_000, async () => {
    const { status } = await api(
      `/api/catalog/entities/by-name/resource/default/${name}`,
    );
    return status === 404 ? status : undefined;
  });
}

/** The commit removing the environment, once there, and what it changed. */
async function removalCommit(name: string) {
  const commit = await waitFor(
    `removal commit of ${name}`,
    120_000,
    async () =>
      git('log', '--format=%H %s', 'main')
        .split('\n')
        .find(l => l.includes(` Remove environment ${name} (`))
        ?.split(' ')[0],
  );
  const changes = git('show', '--name-status', '--format=', commit)
    .split('\n')
    .filter(Boolean)
    .map(l => l.split('\t'));
  return { commit, changes };
}

/** The files an environment made from the template has in the repository (the removal deletes them). */
function environmentFiles(name: string) {
  return [
    `catalog/environments/${name}.yaml`,
    `charts/argocd-apps/environments/${name}.yaml`,
    `charts/inference/values-${name}.yaml`,
    `infra/environments/${name}/backend.hcl`,
    `infra/environments/${name}/cluster.tfvars`,
    `infra/environments/${name}/monitoring.tfvars`,
    `infra/environments/${name}/storage.tfvars`,
  ];
}

beforeAll(async () => {
  // Files left by an interrupted run would make the catalog serve these before the templates run.
  for (const env of [ENV, SECOND, EXPIRING]) {
    if (existsSync(registered(env))) await rm(registered(env), { force: true });
  }
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-teardown-'));
  remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    logFile: resolve(resultsDir, 'backend-teardown.log'),
    // Under a load of 15 on 2 cores the backend's start alone took over 4 minutes.
    timeoutMs: 480_000,
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
        join(tmp, 'state'),
      ),
      APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(join(tmp, 'runs')),
      // The expiry task looks every 5 s (default 300 s).
      APP_CONFIG_devopsApp_terraform_expiry_checkIntervalSeconds: '5',
    },
  });
  token = await guestToken(portal.baseUrl);
  browser = await launchChromium();
  page = await signInAsGuest(browser, portal.baseUrl, {
    width: 1280,
    height: 800,
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  for (const env of [ENV, SECOND, EXPIRING]) {
    await rm(registered(env), { force: true });
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('teardown and expiry of environments', () => {
  it(`creates ${ENV} from the Create page with an expiry of 1 day; its page shows the time left`, async () => {
    await page.goto(
      `${portal.baseUrl}/create/templates/default/new-environment`,
    );
    const nameField = page.getByLabel('Name').first();
    await nameField.waitFor({ timeout: 60_000 });
    await nameField.fill(ENV);
    const owner = page.getByLabel('Owner group').first();
    await owner.click({ timeout: 30_000 });
    await owner.fill('ML');
    await page
      .getByRole('option', { name: /ML team/ })
      .first()
      .click({ timeout: 30_000 });
    const next = () =>
      page.getByRole('button', { name: 'Next' }).click({ timeout: 30_000 });
    await next(); // Infrastructure
    await next(); // Service: the expiry
    // The select (MUI): a button named by its label and its value.
    await page
      .getByRole('button', { name: /Expires after/ })
      .first()
      .click({ timeout: 30_000 });
    await page
      .getByRole('option', { name: '1 day', exact: true })
      .click({ timeout: 30_000 });
    await screenshots(page, 'teardown-01-form-expiry');
    await next(); // Run
    await page
      .getByRole('button', { name: 'Review' })
      .click({ timeout: 30_000 });
    await screenshots(page, 'teardown-02-review');
    const createdAt = Date.now();
    await page
      .getByRole('button', { name: 'Create' })
      .click({ timeout: 30_000 });
    await page
      .getByRole('link', { name: 'Terraform run' })
      .waitFor({ timeout: 420_000 });
    await screenshots(page, 'teardown-03-created');

    // The committed entity carries the expiry, a day after the task's validate step.
    const file = git('show', `main:catalog/environments/${ENV}.yaml`);
    const expiresAt = Date.parse(
      /devops-app\.io\/expires-at: '?([^'\n]+)'?/.exec(file)![1],
    );
    expect(expiresAt - createdAt).toBeGreaterThan(23.5 * 3600_000);
    expect(expiresAt - createdAt).toBeLessThan(24.5 * 3600_000);

    const card = await openEnvironmentPage(ENV);
    await card
      .getByText(/^Expires in (23 h \d+ min|1 d 0 h)/)
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'teardown-04-time-left');
  });

  it('extends it by 1 day: the time left grows, one commit moved the annotation', async () => {
    const card = page.getByTestId('environment-lifecycle');
    const before = git('rev-parse', 'main');
    await card
      .getByRole('button', { name: 'Extend', exact: true })
      .click({ timeout: 30_000 });
    await card
      .getByText(/^Expires in (1 d 23 h|2 d 0 h)/)
      .waitFor({ timeout: 90_000 });
    await screenshots(page, 'teardown-05-extended');
    expect(git('log', '--format=%s', `${before}..main`)).toMatch(
      new RegExp(`^Extend environment ${ENV} by 1d \\(expires `),
    );
    expect(git('diff', '--name-only', before, 'main')).toBe(
      `catalog/environments/${ENV}.yaml`,
    );
    // The page shows it again after a reload: the catalog read the moved annotation.
    await waitFor('the extended expiry in the catalog', 120_000, async () => {
      const { body } = await api(
        `/api/catalog/entities/by-name/resource/default/${ENV}`,
      );
      const at = Date.parse(
        body?.metadata?.annotations?.['devops-app.io/expires-at'] ?? '',
      );
      return at - Date.now() > 47 * 3600_000 ? at : undefined;
    });
  });

  it('offers the protected dev no removal (the reason shown), and the route refuses it with the reason', async () => {
    const card = await openEnvironmentPage('dev');
    await card
      .getByText('Protected: the portal never removes dev.')
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'teardown-06-protected-dev');
    expect(
      await card.getByRole('button', { name: 'Remove environment' }).count(),
    ).toBe(0);
    const refused = await api(
      '/api/devops-app/terraform/environments/dev/remove',
      {
        method: 'POST',
        body: { confirm: 'dev' },
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'dev is protected (devops-app.io/protected): the portal never removes it',
    );
    const audit = await api('/api/devops-app/audit?environment=dev&limit=20');
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        actor: 'user:default/guest',
        action: 'destroy',
        result: 'denied',
      }),
    );
  });

  it(`removes ${ENV} from its page with the typed name: monitoring and storage before the cluster, one commit removing its files, out of the catalog, its run readable`, async () => {
    const card = await openEnvironmentPage(ENV);
    const before = git('rev-parse', 'main');
    await card
      .getByRole('button', { name: 'Remove environment' })
      .click({ timeout: 60_000 });
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: `Remove ${ENV}` });
    await dialog
      .getByLabel('Environment name')
      .fill('ttl-tes', { timeout: 30_000 });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Environment name').fill(ENV);
    await screenshots(page, 'teardown-07-confirm');
    await confirm.click({ timeout: 30_000 });
    const removal = card.getByTestId('environment-removal');
    await removal.waitFor({ timeout: 60_000 });
    destroyRunId = (await removal
      .getByRole('link', { name: 'destroy run' })
      .getAttribute('href'))!
      .split('/')
      .pop()!;
    await screenshots(page, 'teardown-08-removal-started');
    await removal
      .getByText(/^The stacks are destroyed/)
      .waitFor({ timeout: 300_000 });
    await screenshots(page, 'teardown-09-destroyed');
    // The removal, not the expiry, says what happens to it now.
    expect(await card.getByTestId('environment-expiry').count()).toBe(0);

    // The run: destroy, by the guest, succeeded; monitoring and storage ended before the cluster began.
    const { status, body: run } = await api(
      `/api/devops-app/terraform/runs/${destroyRunId}`,
    );
    expect(status).toBe(200);
    expect(run).toMatchObject({
      environment: ENV,
      mode: 'destroy',
      status: 'succeeded',
      createdBy: 'user:default/guest',
    });
    const stack = (name: string) =>
      run.stacks.find((s: { stack: string }) => s.stack === name);
    for (const name of ['monitoring', 'storage', 'cluster']) {
      expect(stack(name)).toMatchObject({
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
      });
    }
    const time = (name: string, key: 'startedAt' | 'finishedAt') =>
      Date.parse(stack(name)[key]);
    // eslint-disable-next-line no-console
    console.log(
      `destroy ${destroyRunId}: ${['monitoring', 'storage', 'cluster']
        .map(s => `${s} ${stack(s).startedAt} .. ${stack(s).finishedAt}`)
        .join('; ')}`,
    );
    expect(time('cluster', 'startedAt')).toBeGreaterThanOrEqual(
      Math.max(time('monitoring', 'finishedAt'), time('storage', 'finishedAt')),
    );

    // One commit, removing exactly the environment's files.
    const { commit, changes } = await removalCommit(ENV);
    expect(git('rev-list', '--count', `${before}..main`)).toBe('1');
    expect(git('rev-parse', 'main')).toBe(commit);
    expect(changes.sort()).toEqual(environmentFiles(ENV).map(f => ['D', f]));
    expect(git('ls-tree', '-r', '--name-only', 'main')).not.toContain(ENV);

    // Out of the catalog: the API answers 404, the page says so.
    await goneFromCatalog(ENV);
    expect(existsSync(registered(ENV))).toBe(false);
    await page.goto(`${portal.baseUrl}/catalog/default/resource/${ENV}`);
    await page
      .getByText('Entity not found')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'teardown-10-entity-gone');

    // Its runs stay readable: the list by environment, and the destroy run's page with its log.
    const runs = await api(`/api/devops-app/terraform/runs?environment=${ENV}`);
    expect(runs.status).toBe(200);
    expect(runs.body.items.map((r: { mode: string }) => r.mode).sort()).toEqual(
      ['apply', 'destroy'],
    );
    await page.goto(
      `${portal.baseUrl}/devops-app/terraform-runs/${destroyRunId}`,
    );
    // A destroy is `plan -destroy` then the apply of that saved plan.
    const destroyed =
      /Apply complete! Resources: 0 added, 0 changed, \d+ destroyed/;
    const log = await api(`/api/devops-app/terraform/runs/${destroyRunId}/log`);
    expect(log.status).toBe(200);
    for (const name of ['monitoring', 'storage', 'cluster']) {
      expect(
        log.body.items.some(
          (l: { stack: string; line: string }) =>
            l.stack === name && destroyed.test(l.line),
        ),
      ).toBe(true);
    }
    await page
      .getByLabel('cluster log')
      .getByText(destroyed)
      .first()
      .waitFor({ timeout: 90_000 })
      .catch(async e => {
        await screenshots(page, 'teardown-11-run-failed');
        throw e;
      });
    await screenshots(page, 'teardown-11-run-readable');

    // Audited: the decision (destroy) and the removal's outcome (remove), as the guest.
    await expectRemovalAudited(ENV, 'user:default/guest', {
      destroy: { runId: destroyRunId },
      remove: { commit },
    });
  });

  it(`removes ${SECOND} with the "Remove environment" template: its step asks the same route as the page`, async () => {
    await createEnvironment(SECOND, 'never');
    await openEnvironmentPage(SECOND);
    const before = git('rev-parse', 'main');

    await page.goto(
      `${portal.baseUrl}/create/templates/default/remove-environment`,
    );
    const picker = page.getByLabel(/^Environment/).first();
    await picker.click({ timeout: 60_000 });
    await picker.fill(SECOND);
    await page
      .getByRole('option', { name: new RegExp(SECOND) })
      .first()
      .click({ timeout: 60_000 });
    await page
      .getByLabel("Type the environment's name to confirm")
      .first()
      .fill(SECOND, { timeout: 30_000 });
    await screenshots(page, 'teardown-12-remove-template');
    await page
      .getByRole('button', { name: 'Review' })
      .click({ timeout: 30_000 });
    await page
      .getByRole('button', { name: 'Create' })
      .click({ timeout: 30_000 });
    await page
      .getByRole('link', { name: 'Destroy run' })
      .waitFor({ timeout: 420_000 });
    await screenshots(page, 'teardown-13-remove-template-done');

    const { changes } = await removalCommit(SECOND);
    expect(git('rev-list', '--count', `${before}..main`)).toBe('1');
    expect(changes.sort()).toEqual(environmentFiles(SECOND).map(f => ['D', f]));
    // The step ended once the entity had left the catalog.
    const { status } = await api(
      `/api/catalog/entities/by-name/resource/default/${SECOND}`,
    );
    expect(status).toBe(404);
    await expectRemovalAudited(SECOND, 'user:default/guest');
  });

  it(`the expiry task removes ${EXPIRING} once its expiry has passed, audited as system:expiry`, async () => {
    await createEnvironment(EXPIRING, '4h');
    const card = await openEnvironmentPage(EXPIRING);
    await card.getByText(/^Expires in [34] h/).waitFor({ timeout: 60_000 });
    const before = git('rev-parse', 'main');

    // The form's smallest expiry is 4 h: move it into the past where the catalog reads it (the
    // registered copy of the committed file), and have the catalog read it again.
    const past = new Date(Date.now() - 60_000).toISOString();
    const text = await readFile(registered(EXPIRING), 'utf8');
    const moved = text.replace(
      /(devops-app\.io\/expires-at: )'?[^'\n]+'?/,
      `$1'${past}'`,
    );
    expect(moved).not.toBe(text);
    await writeFile(registered(EXPIRING), moved, 'utf8');
    const refresh = await api('/api/catalog/refresh', {
      method: 'POST',
      body: { entityRef: `resource:default/${EXPIRING}` },
    });
    expect(refresh.status).toBe(200);

    // Removed by the task within a few of its 5 s passes after the catalog read the expiry.
    await goneFromCatalog(EXPIRING).catch(async e => {
      await screenshots(page, 'teardown-14-expiry-failed');
      throw e;
    });
    const { commit, changes } = await removalCommit(EXPIRING);
    expect(git('rev-list', '--count', `${before}..main`)).toBe('1');
    expect(changes.sort()).toEqual(
      environmentFiles(EXPIRING).map(f => ['D', f]),
    );
    expect(git('log', '-1', '--format=%an', commit)).toBe('expiry');

    const runs = await api(
      `/api/devops-app/terraform/runs?environment=${EXPIRING}`,
    );
    const destroy = runs.body.items.find(
      (r: { mode: string }) => r.mode === 'destroy',
    );
    expect(destroy).toMatchObject({
      status: 'succeeded',
      createdBy: 'system:expiry',
    });
    await expectRemovalAudited(EXPIRING, 'system:expiry', {
      destroy: {
        runId: destroy.id,
        message: expect.stringMatching(/^expired at /),
      },
      remove: { commit },
    });
    await page.goto(`${portal.baseUrl}/catalog/default/resource/${EXPIRING}`);
    await page
      .getByText('Entity not found')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'teardown-14-expired-gone');
  });
});
