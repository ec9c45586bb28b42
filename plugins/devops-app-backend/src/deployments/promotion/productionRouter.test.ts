import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { STANDARD_ENVIRONMENTS } from '../../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../../__testUtils__/pluginBackend';
import {
  SERVICE_REF,
  serviceEntity,
} from '../../observability/__testUtils__/serviceEntity';
import { createGitRemote, GitRemote } from '../__testUtils__/gitRemote';

/**
 * The production request and break-glass routes in the whole plugin (startTestBackend, a real git
 * remote, SQLite): strict bodies (400 naming the field, unknown fields refused), users only (401),
 * a denial audited (403), break glass committed and audited with its reason, a request checked
 * against the promotion rule (here no Prometheus is configured, so pre-prod's version is not
 * verified: 409 naming why, audited as a failure). The decisions themselves, four-eyes and what an
 * approval executes: AuthorizedProductionService.test.ts; the policy: packages/backend.
 */
jest.setTimeout(120_000);

const ANA = 'user:default/ana.ml';
const PAT = 'user:default/pat.platform';
const EVE = 'user:default/eve';

describe('production request routes', () => {
  let remote: GitRemote;
  let backend: PluginBackend;

  beforeAll(async () => {
    remote = await createGitRemote();
    backend = await startPluginBackend({
      entities: [
        serviceEntity({
          'devops-app.io/environments': 'dev,pre-prod,prod',
          'devops-app.io/prod-deployers': 'group:default/prod-deployers',
        }),
        ...STANDARD_ENVIRONMENTS,
      ],
      allows: (user, permission) => {
        if (permission === 'devops-app.production.request') return user === ANA;
        if (permission.startsWith('devops-app.production.')) {
          return user === PAT;
        }
        return user === ANA;
      },
      config: {
        devopsApp: {
          gitops: { repository: remote.remote, branch: 'main' },
          promotion: { requests: { maxAgeHours: 2 } },
        },
      },
    });
  });
  afterAll(async () => {
    await remote.cleanup();
  });

  const prod = { entityRef: SERVICE_REF, environment: 'prod' };

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: Array<[string, object, RegExp]> = [
      [
        '/deployments/promotions/requests',
        { ...prod, version: '0.2.0', force: true },
        /force/,
      ],
      ['/deployments/promotions/requests', { ...prod }, /version/],
      [
        '/deployments/promotions/requests',
        { ...prod, version: 'latest;rm' },
        /version/,
      ],
      ['/deployments/promotions/requests/abc/approve', {}, /^id/],
      [
        '/deployments/promotions/requests/1/approve',
        { comment: 'ok', version: '9.9.9' },
        /version/,
      ],
      ['/deployments/promotions/requests/1/reject', {}, /comment/],
      [
        '/deployments/promotions/requests/1/reject',
        { comment: 'no\u202egood' },
        /comment.*invisible/,
      ],
      [
        '/deployments/break-glass',
        { ...prod, version: '0.2.0', reason: 'urgent' },
        /reason.*20 to 2000/,
      ],
      ['/deployments/break-glass', { ...prod, version: '0.2.0' }, /reason/],
    ];
    for (const [path, body, message] of cases) {
      const res = await backend.post(path, PAT, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
    const list = await backend.get(
      `/deployments/promotions/requests?entityRef=${encodeURIComponent(
        SERVICE_REF,
      )}&environment=prod`,
      PAT,
    );
    expect(list.status).toBe(400);
    expect(list.body.error.message).toMatch(/environment/);
  });

  it('answers only signed-in users', async () => {
    const res = await request(backend.server)
      .post('/api/devops-app/deployments/break-glass')
      .set('Authorization', mockCredentials.none.header())
      .send({ ...prod, version: '0.2.0', reason: 'x'.repeat(30) });
    expect(res.status).toBe(401);
  });

  it('breaks glass for a prod deployer (committed, audited with the reason) and refuses it to an owner (403, audited)', async () => {
    const reason = 'prod serves 500s since 09:40; 0.1.0 leaks memory';
    const denied = await backend.post('/deployments/break-glass', ANA, {
      ...prod,
      version: '0.3.0',
      reason,
    });
    expect(denied.status).toBe(403);
    const res = await backend.post('/deployments/break-glass', PAT, {
      ...prod,
      version: '0.3.0',
      reason,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ after: '0.3.0', changed: true });
    expect(
      await remote.show('main', 'charts/inference/values-prod.yaml'),
    ).toMatch(/tag: "?0\.3\.0"?/);
    const audit = await backend.auditOf('prod', PAT);
    expect(audit.slice(0, 2)).toEqual([
      expect.objectContaining({
        actor: PAT,
        action: 'break-glass',
        result: 'success',
        after: '0.3.0',
        commit: res.body.commit,
        message: `reason: ${reason}`,
      }),
      expect.objectContaining({
        actor: ANA,
        action: 'break-glass',
        result: 'denied',
      }),
    ]);
  });

  it('checks a request against the promotion rule (409 naming why, audited) and lists what the caller may do', async () => {
    const res = await backend.post('/deployments/promotions/requests', ANA, {
      ...prod,
      version: '0.2.0',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /Promotion of 0.2.0 to prod refused/,
    );
    const refusedByEve = await backend.post(
      '/deployments/promotions/requests',
      EVE,
      { ...prod, version: '0.2.0' },
    );
    expect(refusedByEve.status).toBe(403);
    const audit = await backend.auditOf('prod', PAT);
    expect(
      audit
        .filter(a => a.action === 'request-production')
        .map(a => [a.actor, a.result]),
    ).toEqual([
      [EVE, 'denied'],
      [ANA, 'failure'],
    ]);
    const list = await backend.get(
      `/deployments/promotions/requests?entityRef=${encodeURIComponent(
        SERVICE_REF,
      )}`,
      ANA,
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      entityRef: SERVICE_REF,
      items: [],
      request: { prod: { allowed: true } },
      breakGlass: { prod: { allowed: false } },
    });
  });
});
