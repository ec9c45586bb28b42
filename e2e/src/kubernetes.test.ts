/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import {
  launchChromium,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import {
  AKS_ENTRA_SERVER_APP_ID,
  AksStandIn,
  INFERENCE,
  inferenceServiceCluster,
  KubernetesStandIn,
  matchesSelector,
  parseLabelSelector,
  registerKubernetesCluster,
  SelectorError,
  startAksStandIn,
  kubernetesObjectsOf,
  ObjectsByEntity,
} from './support/kubernetesStandIn';
import { guestToken, RunningPortal, startPortal } from './support/portal';

/*
 * The Kubernetes tab (issues 8 and 12): Backstage's kubernetes backend, configured as app-config.yaml
 * configures it (the `catalog` cluster locator; Rollouts and AnalysisRuns as custom resources), finds
 * the cluster through its kubernetes-cluster Resource in the catalog, registered while the portal runs,
 * and signs in the way production does (`kubernetes.io/auth-provider: azure`: the backend's own Entra ID
 * token for AKS, here from a stand-in managed identity endpoint). It reads a stand-in Kubernetes API
 * server on 127.0.0.1 that serves HTTPS with the certificate the entity's CA annotation names, accepts
 * only the token the Entra ID stand-in issued, and answers as the Kubernetes API documents
 * (support/kubernetesStandIn.ts). The built frontend shows the service's Argo Rollout through the
 * kubernetes plugin's own Rollout rendering; nothing on the portal's side is mocked.
 * That rendering is made for canary Rollouts: its "Paused (…)" badge only reads a CanaryPauseStep and its
 * step bar only canary steps, so for this blue/green Rollout (Paused, BlueGreenPause) the test reads the
 * phase, the pause, the revision and the active/preview hashes where the tab shows them: the manifest.
 */
const CLUSTER = 'prod-stand-in-cluster';
const CLUSTER_TITLE = 'AKS cluster (stand-in)';
const SELECTOR = 'backstage.io/kubernetes-id=inference-service';

let aks: AksStandIn;
let cluster: KubernetesStandIn;
let token: string;
let portal: RunningPortal;
let browser: Browser;
let registration: { unregister(): Promise<void> } | undefined;

beforeAll(async () => {
  aks = await startAksStandIn({ objects: inferenceServiceCluster() });
  cluster = aks.apiServer;
  token = aks.entraId.token;
  // app-config.yaml's kubernetes section as it is; only the backend's Entra ID comes from the stand-in.
  portal = await startPortal({ env: aks.portalEnv });
  browser = await launchChromium();
});

afterAll(async () => {
  await registration?.unregister();
  await browser?.close();
  await portal?.stop();
  await aks?.stop();
});

const screenshots = screenshotsAtBothWidths;
const objectsByEntity = () => kubernetesObjectsOf(portal.baseUrl);

describe('the stand-ins answer as the Kubernetes API and Entra ID document', () => {
  it('401 without the bearer token, 404 Status for unknown paths, labelSelector honoured', async () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const rollouts = '/apis/argoproj.io/v1alpha1/rollouts';
    const anonymous = await cluster.get(rollouts);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
    const wrong = await cluster.get(rollouts, 'not-the-token');
    expect(wrong.status).toBe(401);

    const unknown = await cluster.get(
      '/apis/argoproj.io/v1alpha1/widgets',
      token,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });

    const all = (await cluster.get(rollouts, token)).body as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(all.items.map(i => i.metadata.name).sort()).toEqual(
      [INFERENCE.rollout, INFERENCE.otherRollout].sort(),
    );
    const selected = await cluster.get(
      `${rollouts}?labelSelector=${encodeURIComponent(SELECTOR)}`,
      token,
    );
    const list = selected.body as Record<string, any>;
    expect(list).toMatchObject({
      kind: 'RolloutList',
      apiVersion: 'argoproj.io/v1alpha1',
    });
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((i: any) => i.metadata.name)).toEqual([
      INFERENCE.rollout,
    ]);
    const bad = await cluster.get(
      `${rollouts}?labelSelector=${encodeURIComponent('a in (b')}`,
      token,
    );
    expect(bad.status).toBe(400);
  });

  it('the managed identity endpoint issues the AKS token only with its secret header, only for AKS', async () => {
    const endpoint = aks.entraId.env.IDENTITY_ENDPOINT;
    const ask = (resource: string, secret?: string) =>
      fetch(
        `${endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(
          resource,
        )}`,
        { headers: secret ? { 'X-IDENTITY-HEADER': secret } : {} },
      );
    expect((await ask(AKS_ENTRA_SERVER_APP_ID)).status).toBe(401);
    const secret = aks.entraId.env.IDENTITY_HEADER;
    expect((await ask('https://management.azure.com', secret)).status).toBe(
      400,
    );
    const issued = await ask(AKS_ENTRA_SERVER_APP_ID, secret);
    expect(issued.status).toBe(200);
    expect(await issued.json()).toMatchObject({
      access_token: token,
      token_type: 'Bearer',
      resource: AKS_ENTRA_SERVER_APP_ID,
    });
    // From here on the stand-ins record only what the backend asks.
    aks.entraId.requests.length = 0;
    cluster.requests.length = 0;
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

describe('while no cluster entity names an API server', () => {
  it('the backend lists no cluster: dev-, pre-prod- and prod-cluster have no kubernetes.io/api-server locally', async () => {
    const { status, body } = await objectsByEntity();
    expect(status).toBe(200);
    expect(body.items).toEqual([]);
    expect(cluster.requests).toEqual([]);
    expect(aks.entraId.requests).toEqual([]);
  });

  it('the Kubernetes tab says there are no resources', async () => {
    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1280,
      height: 800,
    });
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/kubernetes`,
    );
    await page
      .getByText('No Kubernetes resources')
      .waitFor({ timeout: 90_000 });
    await page
      .getByText('No resources on any known clusters for inference-service')
      .waitFor();
    await screenshots(page, 'kubernetes-00-no-cluster');
    // The tab asked the backend, and the backend asked no cluster.
    expect(cluster.requests).toEqual([]);
    await page.close();
  });
});

describe('the kubernetes backend reads the cluster its catalog entity names', () => {
  it('finds the cluster registered while the portal runs, with no restart', async () => {
    registration = await registerKubernetesCluster(
      portal.baseUrl,
      aks.clusterEntity(CLUSTER, CLUSTER_TITLE),
    );
    const { status, body } = await objectsByEntity();
    expect(status).toBe(200);
    expect(body.items.map(i => i.cluster.name)).toEqual([CLUSTER]);
  });

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
    expect(item.cluster).toMatchObject({ name: CLUSTER, title: CLUSTER_TITLE });
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

    // The token came from Entra ID (the stand-in), asked for AKS with the endpoint's secret: the
    // backend's `azure` auth provider, as in production.
    expect(aks.entraId.requests).toContainEqual({
      resource: AKS_ENTRA_SERVER_APP_ID,
      authorized: true,
      status: 200,
    });
    expect(aks.entraId.requests.every(r => r.status === 200)).toBe(true);

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
    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1280,
      height: 800,
    });

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
      name: new RegExp(`^${CLUSTER_TITLE.replace(/[()]/g, '\\$&')}`),
    });
    await clusterSummary.waitFor({ timeout: 90_000 });
    expect(await clusterSummary.textContent()).toContain('6 pods');
    expect(await clusterSummary.textContent()).toContain('No pods with errors');
    await screenshots(page, 'kubernetes-01-tab');

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
    await screenshots(page, 'kubernetes-02-rollout');
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
    await screenshots(page, 'kubernetes-03-rollout-manifest');

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
