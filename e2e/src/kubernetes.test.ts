/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { launchChromium, signInAsGuest } from './support/browser';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  INFERENCE,
  inferenceServiceCluster,
  KubernetesStandIn,
  matchesSelector,
  parseLabelSelector,
  SelectorError,
  startKubernetesStandIn,
} from './support/kubernetesStandIn';
import {
  guestToken,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * The Kubernetes tab (issue 8): Backstage's kubernetes backend, configured the way production configures
 * it (a config cluster, serviceAccount auth with the token in config, Rollouts and AnalysisRuns as custom
 * resources), reads a stand-in Kubernetes API server on 127.0.0.1 that answers as the Kubernetes API
 * documents (support/kubernetesStandIn.ts). The built frontend shows the service's Argo Rollout through
 * the kubernetes plugin's own Rollout rendering; nothing on the portal's side is mocked.
 * That rendering is made for canary Rollouts: its "Paused (…)" badge only reads a CanaryPauseStep and its
 * step bar only canary steps, so for this blue/green Rollout (Paused, BlueGreenPause) the test reads the
 * phase, the pause, the revision and the active/preview hashes where the tab shows them: the manifest.
 */
const CLUSTER = 'aks-devops-app';
const SELECTOR = 'backstage.io/kubernetes-id=inference-service';

let cluster: KubernetesStandIn;
let portal: RunningPortal;
let browser: Browser;
// A fresh token per run: the stand-in refuses any other.
const token = randomBytes(24).toString('base64url');

beforeAll(async () => {
  cluster = await startKubernetesStandIn({
    token,
    objects: inferenceServiceCluster(),
  });
  portal = await startPortal({
    env: {
      // The whole `kubernetes` section, as app-config.production.yaml has it but pointed at the stand-in.
      APP_CONFIG_kubernetes: JSON.stringify({
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: CLUSTER,
                url: cluster.url,
                authProvider: 'serviceAccount',
                serviceAccountToken: token,
              },
            ],
          },
        ],
        customResources: [
          { group: 'argoproj.io', apiVersion: 'v1alpha1', plural: 'rollouts' },
          {
            group: 'argoproj.io',
            apiVersion: 'v1alpha1',
            plural: 'analysisruns',
          },
        ],
      }),
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await cluster?.stop();
});

interface ObjectsByEntity {
  items: Array<{
    cluster: { name: string };
    errors: unknown[];
    podMetrics: Array<{ pod: { metadata: { name: string } } }>;
    resources: Array<{
      type: string;
      resources: Array<{
        kind?: string;
        metadata: {
          name: string;
          namespace?: string;
          annotations?: Record<string, string>;
        };
        status?: Record<string, any>;
      }>;
    }>;
  }>;
}

describe('the stand-in answers as the Kubernetes API documents', () => {
  it('401 without the bearer token, 404 Status for unknown paths, labelSelector honoured', async () => {
    const rollouts = `${cluster.url}/apis/argoproj.io/v1alpha1/rollouts`;
    const anonymous = await fetch(rollouts);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
    const wrong = await fetch(rollouts, {
      headers: { Authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);

    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const unknown = await fetch(
      `${cluster.url}/apis/argoproj.io/v1alpha1/widgets`,
      auth,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });

    const all = (await (await fetch(rollouts, auth)).json()) as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(all.items.map(i => i.metadata.name).sort()).toEqual(
      [INFERENCE.rollout, INFERENCE.otherRollout].sort(),
    );
    const selected = await fetch(
      `${rollouts}?labelSelector=${encodeURIComponent(SELECTOR)}`,
      auth,
    );
    const list = (await selected.json()) as Record<string, any>;
    expect(list).toMatchObject({
      kind: 'RolloutList',
      apiVersion: 'argoproj.io/v1alpha1',
    });
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((i: any) => i.metadata.name)).toEqual([
      INFERENCE.rollout,
    ]);
    const bad = await fetch(
      `${rollouts}?labelSelector=${encodeURIComponent('a in (b')}`,
      auth,
    );
    expect(bad.status).toBe(400);
  });

  it('selects by labels with the documented selector grammar', () => {
    const labels = { app: 'inference', tier: 'server', colour: 'blue' };
    const matches = (selector: string) =>
      matchesSelector(labels, parseLabelSelector(selector));
    expect(matches('')).toBe(true);
    expect(matches('app=inference,tier==server')).toBe(true);
    expect(matches('app=inference,tier=web')).toBe(false);
    expect(matches('colour!=green')).toBe(true);
    expect(matches('missing!=x')).toBe(true);
    expect(matches('colour in (green, blue),tier')).toBe(true);
    expect(matches('colour notin (blue)')).toBe(false);
    expect(matches('!missing,app')).toBe(true);
    expect(matches('!app')).toBe(false);
    // An empty value is valid: it matches a label whose value is "".
    expect(matches('app=')).toBe(false);
    expect(matchesSelector({ app: '' }, parseLabelSelector('app='))).toBe(true);
    for (const bad of ['a b', 'app=x,', 'colour in (blue', 'Bad_/key=x']) {
      expect(() => parseLabelSelector(bad)).toThrow(SelectorError);
    }
  });
});

describe('the kubernetes backend reads the cluster', () => {
  it('POST /api/kubernetes/services/inference-service returns the Rollout among customResources, nothing of other services', async () => {
    const backstageToken = await guestToken(portal.baseUrl);
    const headers = {
      Authorization: `Bearer ${backstageToken}`,
      'Content-Type': 'application/json',
    };
    const entity = await (
      await fetch(
        `${portal.baseUrl}/api/catalog/entities/by-name/component/default/inference-service`,
        { headers },
      )
    ).json();
    const url = `${portal.baseUrl}/api/kubernetes/services/inference-service`;

    const unauthenticated = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entity }),
    });
    expect(unauthenticated.status).toBe(401);

    const since = cluster.requests.length;
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ entity }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ObjectsByEntity;
    expect(body.items).toHaveLength(1);
    const [item] = body.items;
    expect(item.cluster.name).toBe(CLUSTER);
    expect(item.errors).toEqual([]);

    const custom = item.resources
      .filter(r => r.type === 'customresources')
      .flatMap(r => r.resources);
    const rollout = custom.find(r => r.kind === 'Rollout');
    expect(rollout?.metadata).toMatchObject({
      name: INFERENCE.rollout,
      namespace: INFERENCE.namespace,
      annotations: { 'rollout.argoproj.io/revision': INFERENCE.revision },
    });
    expect(rollout?.status).toMatchObject({
      phase: 'Paused',
      pauseConditions: [{ reason: 'BlueGreenPause' }],
      currentPodHash: INFERENCE.previewHash,
      stableRS: INFERENCE.activeHash,
      blueGreen: {
        activeSelector: INFERENCE.activeHash,
        previewSelector: INFERENCE.previewHash,
      },
    });
    const byType = (type: string) =>
      item.resources
        .find(r => r.type === type)
        ?.resources.map(r => r.metadata.name)
        .sort() ?? [];
    expect(byType('replicasets')).toEqual(
      [INFERENCE.oldHash, INFERENCE.activeHash, INFERENCE.previewHash]
        .map(h => `inference-${h}`)
        .sort(),
    );
    expect(byType('pods')).toHaveLength(6);
    expect(byType('services')).toEqual(['inference', 'inference-preview']);
    expect(item.podMetrics).toHaveLength(6);
    expect(JSON.stringify(body)).not.toContain(INFERENCE.otherRollout);

    // What the backend asked the cluster: every list with the entity's selector, with the token.
    const asked = cluster.requests.slice(since);
    expect(asked).toContainEqual({
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/rollouts',
      labelSelector: SELECTOR,
      authorized: true,
      status: 200,
    });
    expect(asked.map(r => r.path)).toEqual(
      expect.arrayContaining([
        '/api/v1/pods',
        '/api/v1/services',
        '/apis/apps/v1/replicasets',
        '/apis/autoscaling/v2/horizontalpodautoscalers',
        '/apis/argoproj.io/v1alpha1/analysisruns',
        `/apis/metrics.k8s.io/v1beta1/namespaces/${INFERENCE.namespace}/pods`,
      ]),
    );
    expect(
      asked.every(
        r => r.labelSelector === SELECTOR && r.authorized && r.status === 200,
      ),
    ).toBe(true);
  });
});

describe('the Kubernetes tab', () => {
  it('shows the inference-service Rollout with its pods and not the other service', async () => {
    const page = await signInAsGuest(browser, portal.baseUrl, { width: 1600, height: 1400 });

    const since = cluster.requests.length;
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service`,
    );
    // The entity page's tabs are links in the page header.
    await page
      .getByRole('link', { name: 'Kubernetes', exact: true })
      .click({ timeout: 60_000 });
    await page.waitForURL(/\/inference-service\/kubernetes$/);

    // The cluster accordion: its name, and the service's pods counted (both ReplicaSets' pods).
    const clusterSummary = page.getByRole('button', {
      name: new RegExp(`^${CLUSTER}`),
    });
    await clusterSummary.waitFor({ timeout: 90_000 });
    expect(await clusterSummary.textContent()).toContain('6 pods');
    expect(await clusterSummary.textContent()).toContain('No pods with errors');
    await page.screenshot({
      path: resolve(resultsDir, 'kubernetes-01-tab.png'),
      fullPage: true,
    });

    // The plugin's Argo Rollouts rendering: name, kind, namespace, the pods it owns through its
    // ReplicaSets, and the HPA that scales it.
    await clusterSummary.click();
    // The Rollout's accordion summary, and in it the button that opens the Rollout's drawer.
    const rolloutDrawerButton = page.getByRole('button', {
      name: `${INFERENCE.rollout} Rollout namespace: ${INFERENCE.namespace}`,
      exact: true,
    });
    const rolloutSummary = page
      .getByRole('button', { expanded: false })
      .filter({ has: rolloutDrawerButton });
    await rolloutSummary.waitFor();
    const summary = (await rolloutSummary.textContent()) ?? '';
    expect(summary).toContain(`namespace: ${INFERENCE.namespace}`);
    expect(summary).toContain('6 pods');
    expect(summary).toContain(
      `min replicas ${INFERENCE.hpa.min} / max replicas ${INFERENCE.hpa.max}`,
    );
    expect(summary).toContain('current CPU usage: 25%');
    expect(await page.getByText(INFERENCE.otherRollout).count()).toBe(0);

    // Its middle holds the HPA's drawer button: expand it by its icon.
    await rolloutSummary.locator('.MuiAccordionSummary-expandIcon').click();
    await page.getByText('Rollout status').waitFor();
    // Its pods table: the active and the preview ReplicaSets' pods (the scaled-down one has none), five
    // to a page, with the metrics-server usage.
    const podCells = page.getByRole('cell', {
      name: /^inference-[0-9a-z]+-[0-9a-z]{5}$/,
    });
    await podCells.first().waitFor();
    await page.getByText('1-5 of 6').filter({ visible: true }).waitFor();
    expect(
      await page
        .getByRole('row', { name: /Running 1\/1 0 requests: 25% of 1000m/ })
        .count(),
    ).toBe(5);
    await page.screenshot({
      path: resolve(resultsDir, 'kubernetes-02-rollout.png'),
      fullPage: true,
    });
    const shownPods = await podCells.allTextContents();
    await page.getByRole('button', { name: 'Next Page' }).click();
    await page.getByText('6-6 of 6').filter({ visible: true }).waitFor();
    shownPods.push(...(await podCells.allTextContents()));
    expect(shownPods.sort()).toEqual(
      [INFERENCE.activeHash, INFERENCE.previewHash]
        .flatMap(hash =>
          INFERENCE.podSuffixes.map(suffix => `inference-${hash}-${suffix}`),
        )
        .sort(),
    );

    // The Rollout's drawer shows its manifest: phase, the blue/green pause, revision and hashes.
    await rolloutDrawerButton.click();
    const drawer = page.locator('.MuiDrawer-paper');
    await drawer.getByText('YAML').click();
    const yaml = drawer.locator('.cm-content, textarea, pre').first();
    await yaml.waitFor();
    const manifest = (await drawer.textContent()) ?? '';
    expect(manifest).toContain('phase: Paused');
    expect(manifest).toContain('reason: BlueGreenPause');
    expect(manifest).toMatch(/rollout\.argoproj\.io\/revision: ["']?4/);
    expect(manifest).toContain(`activeSelector: ${INFERENCE.activeHash}`);
    expect(manifest).toContain(`previewSelector: ${INFERENCE.previewHash}`);
    await page.screenshot({
      path: resolve(resultsDir, 'kubernetes-03-rollout-manifest.png'),
      fullPage: true,
    });

    // The page's data came from the cluster through the backend, with the entity's selector.
    expect(cluster.requests.slice(since)).toContainEqual({
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/rollouts',
      labelSelector: SELECTOR,
      authorized: true,
      status: 200,
    });
    await page.close();
  });
});
