import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { STANDARD_ENVIRONMENTS } from '../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';
import { serviceEntity } from '../observability/__testUtils__/serviceEntity';
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from './__testUtils__/argoCdStandIn';
import { createGitRemote, GitRemote } from './__testUtils__/gitRemote';

/**
 * The whole plugin (startTestBackend) against the Argo CD stand-in: Roadie's history-card reads behind
 * the catalog's read permission, a deploy to an application whose automated sync is disabled, and an
 * Argo CD 429 answered at once.
 */
jest.setTimeout(60_000);

const service = serviceEntity({
  'devops-app.io/environments': 'dev,pre-prod,prod',
  'argocd/app-selector': 'devops-app.io/service=inference-service',
});
const billing: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'billing',
    namespace: 'default',
    annotations: { 'argocd/app-name': 'billing-prod' },
  },
  spec: { type: 'service', owner: 'group:default/finance', lifecycle: 'x' },
};
const EVE = 'user:default/eve';
const SELECTOR = 'devops-app.io/service=inference-service';
const REV = 'a'.repeat(40);

describe('Argo CD through the devops-app backend', () => {
  let remote: GitRemote;
  let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let backend: PluginBackend;
  const audits: { eventId: string; outcome: string; meta: unknown }[] = [];

  beforeAll(async () => {
    remote = await createGitRemote();
    argo = await startArgoCdStandIn('argo-token', [
      {
        application: application('dev', { automated: true }),
        rollout: pausedRollout('dev'),
        revisions: {
          [REV]: {
            author: 'ana',
            date: '2026-11-25T10:00:00Z',
            message: 'deploy 1.0.0',
          },
        },
      },
      // What `argocd app set --self-heal` leaves on a manual application.
      { application: application('pre-prod', { automated: 'disabled' }) },
      {
        application: {
          ...application('prod', { automated: false }),
          metadata: { name: 'billing-prod', namespace: 'argocd' },
        },
      },
      {
        application: {
          ...application('prod', { automated: false }),
          metadata: { name: 'orphan', namespace: 'argocd' },
        },
      },
    ]);
    backend = await startPluginBackend({
      entities: [service, billing, ...STANDARD_ENVIRONMENTS],
      // The catalog answers each caller with what catalog.entity.read lets them see: eve cannot see
      // billing.
      hides: (user, entity) =>
        user === EVE && entity.metadata.name === 'billing',
      features: [
        mockServices.auditor.mock({
          createEvent: async ({ eventId, meta }) => ({
            success: async () => {
              audits.push({ eventId, outcome: 'success', meta });
            },
            fail: async () => {
              audits.push({ eventId, outcome: 'failure', meta });
            },
          }),
        }).factory,
      ],
      config: {
        backend: { baseUrl: 'http://127.0.0.1' },
        devopsApp: {
          gitops: { repository: remote.remote, branch: 'main' },
          argocd: {
            instances: [
              { name: 'main', baseUrl: argo.baseUrl, token: 'argo-token' },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await argo?.close();
    await remote?.cleanup();
  });
  beforeEach(() => {
    argo.requests.length = 0;
    audits.length = 0;
  });

  const read = (path: string, user = 'user:default/guest') =>
    backend.get(`/argocd/api${path}`, user);

  it("serves Roadie's reads for an entity the caller can read, and audits them", async () => {
    const list = await read(
      `/applications?selector=${encodeURIComponent(SELECTOR)}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: any) => a.metadata.name)).toEqual([
      'inference-dev',
      'inference-pre-prod',
    ]);
    const app = await read('/applications/inference-dev');
    expect(app.status).toBe(200);
    expect(app.body.spec.project).toBe('devops-app');
    const metadata = await read(
      `/applications/inference-dev/revisions/${REV}/metadata`,
    );
    expect(metadata.body).toEqual({
      author: 'ana',
      date: '2026-11-25T10:00:00Z',
      message: 'deploy 1.0.0',
    });
    expect((await read('/applications/billing-prod')).status).toBe(200);
    expect(audits.map(a => `${a.eventId} ${a.outcome}`)).toEqual(
      Array(4).fill('argocd-read success'),
    );
  });

  it('answers 404 for an application of an entity the caller cannot read, or of no entity, and audits the denial', async () => {
    const denied = await read('/applications/billing-prod', EVE);
    expect(denied.status).toBe(404);
    expect(denied.body.error.message).toBe(
      'No entity you can read has the Argo CD application billing-prod',
    );
    expect(
      (await read(`/applications/billing-prod/revisions/${REV}/metadata`, EVE))
        .status,
    ).toBe(404);
    expect((await read('/applications/orphan')).status).toBe(404);
    const otherSelector = await read(
      `/applications?selector=${encodeURIComponent('devops-app.io/service')}`,
    );
    expect(otherSelector.status).toBe(404);
    expect((await read('/applications')).status).toBe(404);
    // Nothing of billing-prod or orphan was read from Argo CD for the denied callers.
    expect(
      argo.requests.filter(r => /billing-prod|orphan/.test(r.path)),
    ).toEqual([]);
    expect(audits.map(a => a.outcome)).toEqual(Array(5).fill('failure'));
    expect(audits[0].meta).toEqual({ application: 'billing-prod' });
  });

  it('refuses unknown query fields and bad values with 400 naming them', async () => {
    const unknown = await read('/applications/inference-dev?refresh=hard');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/refresh/);
    const badNamespace = await read(
      '/applications/inference-dev?appNamespace=A;B',
    );
    expect(badNamespace.status).toBe(400);
    expect(badNamespace.body.error.message).toMatch(/^appNamespace/);
    expect(argo.requests).toEqual([]);
  });

  it('asks for a sync after a deploy to a manual application with automated.enabled: false', async () => {
    const res = await backend.post('/deployments', undefined, {
      entityRef: 'component:default/inference-service',
      environment: 'pre-prod',
      tag: '7.0.0',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ syncRequested: true });
    expect(
      argo.requests.filter(r => r.method === 'POST').map(r => r.path),
    ).toEqual(['/api/v1/applications/inference-pre-prod/sync']);
  });

  it('answers an Argo CD 429 at once with Retry-After, after one upstream call', async () => {
    argo.rateLimitNext(1, 12);
    const res = await read(
      `/applications?selector=${encodeURIComponent(SELECTOR)}`,
    );
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('12');
    expect(res.body).toMatchObject({
      error: {
        name: 'TooManyRequestsError',
        message: 'Argo CD instance main is rate limiting; retry in 12 s',
      },
      response: { statusCode: 429 },
      retryAfterSeconds: 12,
    });
    expect(argo.requests).toHaveLength(1);

    argo.rateLimitNext(1, 3);
    const status = await backend
      .get('/deployments/status')
      .query({ entityRef: 'component:default/inference-service' });
    expect(status.status).toBe(429);
    expect(status.headers['retry-after']).toBe('3');
    expect(status.body.retryAfterSeconds).toBe(3);
    argo.rateLimitNext(0, 1);
  });
});
