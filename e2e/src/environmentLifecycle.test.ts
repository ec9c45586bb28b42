/**
 * @jest-environment node
 */
import { Browser, Page, Response } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  launchChromium,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import { knownSamples } from './support/knownSamples';
import {
  AksStandIn,
  INFERENCE,
  inferenceServiceCluster,
  kubernetesObjectsOf,
  startAksStandIn,
} from './support/kubernetesStandIn';
import {
  repoRoot,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';
import { RunningPrometheus, startPrometheus } from './support/prometheus';
import { chartWithDataSelector } from './support/tabLoad';

/*
 * Issue 12, "Environments are first-class", in the browser: an environment created from the Create page
 * becomes the service's environment with no file edited and no restart. The real backend serves the
 * built frontend with its own GitOps remote and Terraform directories; the sandbox stacks run with the
 * real terraform and output the endpoints this test runs (TF_VAR_sandbox_*):
 *
 * - load-test's own Prometheus (a real one, known samples of environment="load-test" with 5xx);
 * - the AKS stand-in (API server over HTTPS with its CA, Entra ID token for AKS) as load-test's cluster.
 *
 * The global querier (dev's Prometheus) is another real Prometheus holding dev's samples and, as a decoy,
 * samples of environment="load-test" without any 5xx: if the backend read load-test's panels there, the
 * error ratio would be 0 instead of 25 %.
 *
 * After the template's task: the DevOps tab lists load-test in the Environments card and the Metrics
 * picker within 60 s; its panels equal load-test's Prometheus's own answer over the same start/end/step;
 * a deploy of 0.2.0 is one commit changing only image.tag of values-load-test.yaml; the Kubernetes tab
 * finds the load-test cluster through the catalog.
 */
jest.setTimeout(300_000);

const ENV = 'load-test';
const MATCHERS = `service="inference-service",environment="${ENV}"`;
/** The samples' scrape interval, given to the backend so its rate window is the one computed below. */
const SCRAPE_SECONDS = 15;
const registeredFile = resolve(repoRoot, '.run/catalog', `${ENV}.yaml`);

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let aks: AksStandIn;
let loadTestPrometheus: RunningPrometheus;
let devPrometheus: RunningPrometheus;
let tmp: string;
let remote: string;
let taskEndedAt = 0;

const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', remote, ...args], {
    encoding: 'utf8',
  }).trim();

const screenshots = screenshotsAtBothWidths;

beforeAll(async () => {
  // A file left by an interrupted run would make the catalog serve load-test before the template runs.
  if (existsSync(registeredFile)) await rm(registeredFile, { force: true });

  const nowSeconds = Math.floor(Date.now() / 1000);
  const start = nowSeconds - 2 * 3600;
  const end = nowSeconds - 60;
  loadTestPrometheus = await startPrometheus(
    knownSamples(start, end, [{ name: ENV, withErrors: true }]).text,
  );
  devPrometheus = await startPrometheus(
    knownSamples(start, end, [
      { name: 'dev', withErrors: true },
      { name: ENV, withErrors: false },
    ]).text,
  );
  aks = await startAksStandIn({ objects: inferenceServiceCluster() });

  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-lifecycle-'));
  remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    logFile: resolve(resultsDir, 'backend-environment-lifecycle.log'),
    env: {
      ...aks.portalEnv,
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
        join(tmp, 'state'),
      ),
      APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(join(tmp, 'runs')),
      APP_CONFIG_devopsApp_prometheus_baseUrl: JSON.stringify(
        devPrometheus.baseUrl,
      ),
      APP_CONFIG_devopsApp_prometheus_scrapeIntervalSeconds:
        String(SCRAPE_SECONDS),
      TF_VAR_sandbox_prometheus_url: loadTestPrometheus.baseUrl,
      TF_VAR_sandbox_kube_api_url: aks.apiServer.url,
      TF_VAR_sandbox_cluster_ca_certificate: aks.apiServer.caData,
    },
  });
  browser = await launchChromium();
  page = await signInAsGuest(browser, portal.baseUrl, {
    width: 1280,
    height: 800,
  });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await rm(registeredFile, { force: true });
  await aks?.stop();
  await loadTestPrometheus?.stop();
  await devPrometheus?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Prometheus's own answer to a range query, as [unix seconds, value] per series. */
async function queryRange(
  baseUrl: string,
  query: string,
  range: { start: number; end: number; step: number },
): Promise<
  Array<{ metric: Record<string, string>; values: [number, string][] }>
> {
  const params = new URLSearchParams({
    query,
    start: String(range.start),
    end: String(range.end),
    step: String(range.step),
  });
  const res = await fetch(`${baseUrl}/api/v1/query_range?${params}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    status: string;
    data: {
      result: Array<{
        metric: Record<string, string>;
        values: [number, string][];
      }>;
    };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** The backend's PromQL of the two panels compared (plugins/devops-app-backend .../panels.ts). */
function panelExpr(
  panel: 'request_rate' | 'error_ratio',
  split: boolean,
  windowSeconds: number,
) {
  const w = `${windowSeconds}s`;
  const rate = (metric: string, extra = '') => {
    const base = `rate(${metric}{${MATCHERS}${extra}}[${w}])`;
    return split
      ? `(${base} * on (instance) group_left (colour) max by (instance, colour) (model_info{${MATCHERS}}))`
      : base;
  };
  const sum = split ? 'sum by (colour)' : 'sum';
  const total = `${sum} (${rate('http_request_duration_seconds_count')})`;
  if (panel === 'request_rate') return total;
  const errors = `${sum} (${rate(
    'http_request_duration_seconds_count',
    ',status=~"5.."',
  )})`;
  return `(${errors} or (${total} * 0)) / ${total}`;
}

interface PanelBody {
  configured: boolean;
  panel: string;
  environment: string;
  start: number;
  end: number;
  step: number;
  splitByColour: boolean;
  series: Array<{
    name: string;
    labels: Record<string, string>;
    points: Array<[number, number | null]>;
  }>;
}

/** The points of Prometheus's answer as the backend hands them to the page. */
function asPanelPoints(
  values: [number, string][],
): Array<[number, number | null]> {
  return values.map(([t, v]) => {
    const n = Number(v);
    return [t * 1000, Number.isFinite(n) ? n : null];
  });
}

function lastValue(points: Array<[number, number | null]>): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    if (points[i][1] !== null) return points[i][1];
  }
  return null;
}

/** The page's formatValue for the two units compared. */
function formatted(value: number, unit: 'ratio' | 'requests/s'): string {
  return unit === 'ratio'
    ? `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`
    : `${value.toFixed(value < 10 ? 2 : 0)} req/s`;
}

describe(`the ${ENV} environment from creation to deploy`, () => {
  it('is created from the Create page (templates/new-environment), defaults kept, image tag 0.1.0', async () => {
    expect(existsSync(registeredFile)).toBe(false);
    await page.goto(
      `${portal.baseUrl}/create/templates/default/new-environment`,
    );
    const nameField = page.getByLabel('Name').first();
    await nameField.waitFor({ timeout: 60_000 });
    await nameField.fill(ENV);
    // Based on: the catalog's EntityPicker, pre-prod by default.
    await page
      .locator(
        'input[value="pre-prod"], input[value="resource:default/pre-prod"]',
      )
      .first()
      .waitFor({ state: 'attached', timeout: 30_000 });
    const owner = page.getByLabel('Owner group').first();
    await owner.click({ timeout: 30_000 });
    await owner.fill('ML');
    await page
      .getByRole('option', { name: /ML team/ })
      .first()
      .click({ timeout: 30_000 });
    await screenshots(page, 'lifecycle-01-form');
    const next = () =>
      page.getByRole('button', { name: 'Next' }).click({ timeout: 30_000 });
    await next(); // Infrastructure
    await next(); // Service: the template's default tag, kept so 0.2.0 is a change later.
    const tag = page.getByLabel('Image tag').first();
    await tag.waitFor({ timeout: 30_000 });
    expect(await tag.inputValue()).toBe('0.1.0');
    await next(); // Run
    await page
      .getByRole('button', { name: 'Review' })
      .click({ timeout: 30_000 });
    await screenshots(page, 'lifecycle-02-review');
    const before = git('rev-parse', 'main');
    await page
      .getByRole('button', { name: 'Create' })
      .click({ timeout: 30_000 });

    await page
      .getByRole('link', { name: 'Terraform run' })
      .waitFor({ timeout: 240_000 });
    taskEndedAt = Date.now();
    await screenshots(page, 'lifecycle-03-task-done');

    // The template's commit, then the run's commit of the Terraform outputs.
    expect(git('log', '--format=%s', `${before}..main`).split('\n')).toEqual([
      expect.stringMatching(
        /^environment\([a-z0-9-]+\): Terraform outputs of run /,
      ),
      `Add environment ${ENV} (based on pre-prod)`,
    ]);
    const file = git('show', `main:catalog/environments/${ENV}.yaml`);
    expect(file).toContain(
      `devops-app.io/prometheus-url: ${loadTestPrometheus.baseUrl}`,
    );
    expect(file).toContain(`kubernetes.io/api-server: ${aks.apiServer.url}`);
    expect(file).toContain(aks.apiServer.caData);
    expect(git('show', `main:charts/inference/values-${ENV}.yaml`)).toContain(
      'tag: "0.1.0"',
    );
    // Registered as committed: the catalog file location holds the branch's file.
    expect(existsSync(registeredFile)).toBe(true);
  });

  it('is listed within 60 s in the Environments card and the Metrics picker of the service, with no restart', async () => {
    const deadline = taskEndedAt + 60_000;
    const left = () => Math.max(1_000, deadline - Date.now());
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const row = page.locator('tr', { has: page.getByTestId(`git-tag-${ENV}`) });
    await row.waitFor({ timeout: left() });
    await page.waitForFunction(
      env =>
        document.querySelector(`[data-testid="git-tag-${env}"]`)
          ?.textContent === '0.1.0',
      ENV,
      { timeout: left() },
    );
    const rowText = await row.innerText();
    expect(rowText).toContain(ENV);
    expect(rowText).toContain(`inference-${ENV}`);
    expect(rowText).toContain('non-production');

    // The Metrics card's environment picker (the Logs & Traces card has one of its own).
    const metricsCard = page
      .locator('.MuiCard-root')
      .filter({ hasText: "From Prometheus, through the portal's backend" });
    const picker = metricsCard.locator(
      '[role="button"][aria-labelledby^="metrics-environment-label"]',
    );
    await picker.waitFor({ timeout: left() });
    await picker.click();
    const option = page.getByRole('option', { name: ENV, exact: true });
    await option.waitFor({ timeout: left() });
    const options = await page.getByRole('option').allInnerTexts();
    expect(options).toEqual(
      expect.arrayContaining(['dev', 'pre-prod', 'prod', ENV]),
    );
    expect(Date.now()).toBeLessThanOrEqual(deadline);
    // eslint-disable-next-line no-console
    console.log(
      `${ENV} listed ${Date.now() - taskEndedAt} ms after the task ended`,
    );
    await screenshots(page, 'lifecycle-04-devops-listed');

    // Pick it: every panel now reads load-test's own Prometheus.
    const responses: Response[] = [];
    const onResponse = (r: Response) => {
      if (
        r.url().includes('/api/devops-app/observability/metrics') &&
        r.url().includes(`environment=${ENV}`)
      ) {
        responses.push(r);
      }
    };
    page.on('response', onResponse);
    await option.click();
    // Both colours serve in the samples, so the overlay is on: the values beside each chart are per colour.
    const errorBlue = page.getByTestId('current-error_ratio-blue');
    const rateBlue = page.getByTestId('current-request_rate-blue');
    await errorBlue.waitFor({ timeout: 90_000 });
    await rateBlue.waitFor({ timeout: 90_000 });
    await page
      .locator(chartWithDataSelector('error_ratio'))
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    page.off('response', onResponse);
    await screenshots(page, 'lifecycle-05-metrics-load-test');

    const bodies: PanelBody[] = [];
    for (const r of responses) {
      expect(r.status()).toBe(200);
      bodies.push((await r.json()) as PanelBody);
    }
    const latest = (panel: string, split: boolean) =>
      bodies.filter(b => b.panel === panel && b.splitByColour === split).pop();
    for (const panel of ['request_rate', 'error_ratio'] as const) {
      const body = latest(panel, true);
      expect(body).toBeDefined();
      expect(body!.configured).toBe(true);
      expect(body!.environment).toBe(ENV);
      const window = Math.max(body!.step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS);
      const expr = panelExpr(panel, true, window);
      const own = await queryRange(loadTestPrometheus.baseUrl, expr, body!);
      expect(own.map(s => s.metric.colour).sort()).toEqual(['blue', 'green']);
      // What the page was given is exactly load-test's Prometheus's answer over the same start/end/step.
      const byColour = Object.fromEntries(
        body!.series.map(s => [s.labels.colour, s.points]),
      );
      for (const s of own) {
        expect(byColour[s.metric.colour]).toEqual(asPanelPoints(s.values));
      }
      expect(body!.series.some(s => s.points.some(([, v]) => v !== null))).toBe(
        true,
      );

      // The value beside the chart is the last value of that answer.
      const unit = panel === 'error_ratio' ? 'ratio' : 'requests/s';
      for (const colour of ['blue', 'green']) {
        const expected = lastValue(
          asPanelPoints(own.find(s => s.metric.colour === colour)!.values),
        );
        expect(expected).not.toBeNull();
        expect(
          await page.getByTestId(`current-${panel}-${colour}`).innerText(),
        ).toBe(formatted(expected!, unit));
      }
    }
    // One 5xx out of four requests per pod and scrape: 25 % in load-test's Prometheus. Dev's (the global
    // querier) holds load-test samples without 5xx, so reading there would show 0 %.
    expect(await errorBlue.innerText()).toBe('25.0 %');
    const errorBody = latest('error_ratio', true)!;
    const decoy = await queryRange(
      devPrometheus.baseUrl,
      panelExpr(
        'error_ratio',
        true,
        Math.max(errorBody.step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS),
      ),
      errorBody,
    );
    expect(decoy.length).toBeGreaterThan(0);
    expect(
      decoy.every(s =>
        s.values.every(([, v]) => Number(v) === 0 || v === 'NaN'),
      ),
    ).toBe(true);
    // Every answer the page got for those two panels (also the unsplit ones it asked before it knew both
    // colours serve, and auto-refreshes) is load-test's Prometheus's own answer over its start/end/step.
    const compared = bodies.filter(
      b => b.panel === 'request_rate' || b.panel === 'error_ratio',
    );
    expect(compared.length).toBeGreaterThanOrEqual(2);
    for (const b of compared) {
      const own = await queryRange(
        loadTestPrometheus.baseUrl,
        panelExpr(
          b.panel as 'request_rate' | 'error_ratio',
          b.splitByColour,
          Math.max(b.step + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS),
        ),
        b,
      );
      const key = (labels: Record<string, string>) => labels.colour ?? '';
      expect(
        Object.fromEntries(b.series.map(s => [key(s.labels), s.points])),
      ).toEqual(
        Object.fromEntries(
          own.map(s => [key(s.metric), asPanelPoints(s.values)]),
        ),
      );
    }
  });

  it('deploys 0.2.0 to load-test from the Environments card: one commit changing only image.tag of values-load-test.yaml', async () => {
    const before = git('rev-parse', 'main');
    const row = page.locator('tr', { has: page.getByTestId(`git-tag-${ENV}`) });
    await row
      .getByRole('button', { name: 'Deploy tag' })
      .click({ timeout: 60_000 });
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Image tag').fill('0.2.0', { timeout: 30_000 });
    await dialog
      .getByRole('button', { name: 'Show change' })
      .click({ timeout: 30_000 });
    const diff = dialog.getByLabel('Change to the values file');
    await diff.waitFor({ timeout: 60_000 });
    expect(await diff.textContent()).toContain('+  tag: "0.2.0"');
    await screenshots(page, 'lifecycle-06-deploy-dialog');
    await dialog
      .getByRole('button', { name: 'Deploy 0.2.0' })
      .click({ timeout: 30_000 });
    await page.waitForFunction(
      env =>
        document.querySelector(`[data-testid="git-tag-${env}"]`)
          ?.textContent === '0.2.0',
      ENV,
      { timeout: 60_000 },
    );
    await page
      .getByTestId(`last-deploy-${ENV}`)
      .getByText('0.2.0 by guest')
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'lifecycle-07-deployed');

    const after = git('rev-parse', 'main');
    expect(git('rev-list', '--count', `${before}..${after}`)).toBe('1');
    const stat = git('show', '--stat', '--format=', after);
    expect(stat.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^\\s*charts/inference/values-${ENV}\\.yaml \\| 2 \\+-$`),
      ),
      expect.stringMatching(
        /^\s*1 file changed, 1 insertion\(\+\), 1 deletion\(-\)$/,
      ),
    ]);
    expect(git('diff', '--name-only', before, after)).toBe(
      `charts/inference/values-${ENV}.yaml`,
    );
    const changed = git('diff', '-U0', before, after)
      .split('\n')
      .filter(l => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(changed).toEqual(['-  tag: "0.1.0"', '+  tag: "0.2.0"']);
    expect(git('log', '-1', '--format=%an', 'main')).toBe('user:default/guest');
  });

  it('the Kubernetes tab finds the load-test cluster through the catalog', async () => {
    const since = aks.apiServer.requests.length;
    // Through the API: the catalog locator lists the cluster the template registered.
    const { status, body } = await kubernetesObjectsOf(portal.baseUrl);
    expect(status).toBe(200);
    expect(body.items.map(i => i.cluster.name)).toEqual([`${ENV}-cluster`]);
    expect(body.items[0].errors).toEqual([]);

    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/kubernetes`,
    );
    const clusterSummary = page.getByRole('button', {
      name: new RegExp(`^AKS cluster \\(${ENV}\\)`),
    });
    try {
      await clusterSummary.waitFor({ timeout: 90_000 });
    } catch (e) {
      await screenshots(page, 'lifecycle-08-kubernetes-failed');
      throw new Error(
        `${e}\nThe Kubernetes tab showed: ${(
          await page.locator('main').innerText()
        ).slice(0, 2000)}`,
      );
    }
    expect(await clusterSummary.textContent()).toContain('6 pods');
    await clusterSummary.click();
    await page
      .getByRole('button', {
        name: `${INFERENCE.rollout} Rollout namespace: ${INFERENCE.namespace}`,
        exact: true,
      })
      .waitFor({ timeout: 60_000 });
    await screenshots(page, 'lifecycle-08-kubernetes');
    // The stand-in answered, with the Entra ID token the backend's azure auth provider obtained.
    expect(aks.apiServer.requests.slice(since)).toContainEqual({
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/rollouts',
      labelSelector: 'backstage.io/kubernetes-id=inference-service',
      authorized: true,
      status: 200,
    });
  });
});
