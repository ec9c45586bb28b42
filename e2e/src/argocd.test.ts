/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The backend plugin's own Argo CD stand-in, so the browser test and the client tests share one server.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from '../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import { launchChromium, signInAsGuest } from './support/browser';
import {
  guestToken,
  repoRoot,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * The portal connected to Argo CD. No Argo CD runs on this machine: the production code paths (the
 * devops-app backend's Argo CD REST client, Roadie's history card reading through the devops-app
 * backend's permission-checked read routes)
 * talk to a stand-in on 127.0.0.1 that answers as Argo CD's REST API documents
 * (plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn.ts). Config is given the way
 * app-config.production.yaml gives it: devopsApp.argocd.instances and argocd.baseUrl; no proxy endpoint.
 */
const TOKEN = `argocd-e2e-${process.pid}-secret`;
const REV_OLD = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const REV_NEW = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

let portal: RunningPortal;
let browser: Browser;
let tmp: string;
let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;

function withHistory(app: any) {
  const source = {
    repoURL: 'https://github.com/devops-app/devops-app.git',
    path: 'charts/inference',
    targetRevision: 'main',
  };
  app.spec.source = source;
  app.status.history = [
    {
      id: 1,
      revision: REV_OLD,
      deployedAt: '2026-11-24T09:00:00Z',
      deployStartedAt: '2026-11-24T08:59:30Z',
      source,
    },
    {
      id: 2,
      revision: REV_NEW,
      deployedAt: '2026-11-25T14:00:00Z',
      deployStartedAt: '2026-11-25T13:59:30Z',
      source,
    },
  ];
  return app;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-argocd-'));
  const remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  const revisions = {
    [REV_OLD]: {
      author: 'Alan <alan@example.com>',
      date: '2026-11-24T08:58:00Z',
      message: 'deploy inference 0.1.0 to dev',
    },
    [REV_NEW]: {
      author: 'Grace <grace@example.com>',
      date: '2026-11-25T13:58:00Z',
      message: 'deploy inference 0.2.0 to dev',
    },
  };
  argo = await startArgoCdStandIn(TOKEN, [
    {
      application: withHistory(application('dev', { automated: true })),
      rollout: pausedRollout('dev'),
      revisions,
    },
    { application: application('pre-prod', { automated: true }) },
    { application: application('prod', { automated: false }) },
  ]);
  portal = await startPortal({
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_argocd: JSON.stringify({
        instances: [{ name: 'stand-in', baseUrl: argo.baseUrl, token: TOKEN }],
      }),
      APP_CONFIG_argocd: JSON.stringify({
        baseUrl: argo.baseUrl,
        revisionsToLoad: 20,
      }),
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await argo?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the portal connected to Argo CD (stand-in)', () => {
  it("the devops-app backend reads Argo CD for the card, for signed-in users and the entity's applications only; there is no Argo CD proxy", async () => {
    const api = `${portal.baseUrl}/api/devops-app/argocd/api`;
    const url = `${api}/applications?selector=${encodeURIComponent(
      'devops-app.io/service=inference-service',
    )}`;
    expect((await fetch(url)).status).toBe(401);

    const token = await guestToken(portal.baseUrl);
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const read = await fetch(url, auth);
    expect(read.status).toBe(200);
    const body = (await read.json()) as {
      items: { metadata: { name: string } }[];
    };
    expect(body.items.map(i => i.metadata.name).sort()).toEqual([
      'inference-dev',
      'inference-pre-prod',
      'inference-prod',
    ]);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    // A selector no catalog entity has, or an application of no entity: 404, Argo CD not asked.
    const asked = argo.requests.length;
    const other = await fetch(
      `${api}/applications?selector=${encodeURIComponent('team=payments')}`,
      auth,
    );
    expect(other.status).toBe(404);
    expect(
      (await fetch(`${api}/applications/argocd-secrets`, auth)).status,
    ).toBe(404);
    expect(
      argo.requests.slice(asked).filter(r => r.path.includes('argocd-secrets')),
    ).toEqual([]);

    // The raw proxy is gone: nothing under /api/proxy/argocd reaches Argo CD.
    const before = argo.requests.length;
    for (const path of [
      '/api/proxy/argocd/api/applications',
      '/api/proxy/argocd/api/applications/inference-dev',
    ]) {
      const res = await fetch(`${portal.baseUrl}${path}`, auth);
      expect(res.status).toBe(404);
    }
    const sync = await fetch(
      `${portal.baseUrl}/api/proxy/argocd/api/applications/inference-dev/sync`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: '{}',
      },
    );
    expect(sync.status).toBe(404);
    expect(argo.requests.length).toBe(before);
  });

  it("shows Roadie's Argo CD history on the overview, newest deploy first, with the commits", async () => {
    const page = await signInAsGuest(browser, portal.baseUrl);
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service`,
    );
    const newer = page.getByText('deploy inference 0.2.0 to dev');
    await newer.waitFor({ timeout: 90_000 });
    await page.getByText('ArgoCD history').first().waitFor();
    const rows = await page.locator('tr').allTextContents();
    const iNew = rows.findIndex(r =>
      r.includes('deploy inference 0.2.0 to dev'),
    );
    const iOld = rows.findIndex(r =>
      r.includes('deploy inference 0.1.0 to dev'),
    );
    expect(iNew).toBeGreaterThan(-1);
    expect(iOld).toBeGreaterThan(iNew);
    expect(rows[iNew]).toContain('inference-dev');
    expect(rows[iNew]).toContain('Grace');
    expect(
      argo.requests.some(
        r =>
          r.path ===
          `/api/v1/applications/inference-dev/revisions/${REV_NEW}/metadata`,
      ),
    ).toBe(true);
    // The Argo CD token never reaches the browser: not in the page, not in the frontend config.
    expect(await page.content()).not.toContain(TOKEN);
    await page.screenshot({
      path: resolve(resultsDir, 'argocd-01-history.png'),
      fullPage: true,
    });
    await page.close();
  });

  it('promotes the paused dev Rollout from the Environments card through the Argo CD API', async () => {
    const page = await signInAsGuest(browser, portal.baseUrl);
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const devRow = page.locator('tr', { has: page.getByTestId('git-tag-dev') });
    await devRow
      .getByText('waiting for promotion')
      .waitFor({ timeout: 90_000 });
    expect(await devRow.textContent()).toContain(
      'inference-dev · automated sync',
    );
    await page.screenshot({
      path: resolve(resultsDir, 'argocd-02-paused.png'),
      fullPage: true,
    });

    await devRow.getByRole('button', { name: 'Promote' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });

    const actions = argo.requests.filter(
      r => r.method === 'POST' && r.path.includes('/resource/actions'),
    );
    expect(actions).toHaveLength(1);
    expect(actions[0].path).toBe(
      '/api/v1/applications/inference-dev/resource/actions/v2',
    );
    expect(actions[0].body).toMatchObject({
      name: 'inference-dev',
      namespace: 'inference-dev',
      resourceName: 'inference',
      kind: 'Rollout',
      group: 'argoproj.io',
      action: 'promote-full',
    });
    // The audit history on the card shows who promoted.
    const promoted = page
      .getByRole('table', { name: 'Deployment history' })
      .locator('tr', { hasText: 'promote' });
    await promoted.first().waitFor({ timeout: 30_000 });
    const audit = await promoted.first().textContent();
    expect(audit).toContain('user:default/guest');
    expect(audit).toContain('dev');
    expect(audit).toContain('success');
    await page.screenshot({
      path: resolve(resultsDir, 'argocd-03-promoted.png'),
      fullPage: true,
    });
    await page.close();
  });
});
