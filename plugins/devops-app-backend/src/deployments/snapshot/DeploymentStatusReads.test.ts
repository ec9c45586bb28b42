import {
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { STANDARD_ENVIRONMENTS } from '../../__testUtils__/environmentEntities';
import { SharedEntityReads } from '../../request/SharedEntityReads';
import type { DeploymentService } from '../DeploymentService';
import { DeploymentStatusReads } from './DeploymentStatusReads';

const ENTITY_REF = 'component:default/inference-service';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    annotations: {
      'devops-app.io/environments': 'dev,pre-prod,prod',
      'devops-app.io/prod-deployers': 'group:default/prod-deployers',
    },
  },
  spec: { type: 'service', owner: 'group:default/ml-team' },
};

/** Owners act; production also needs the prod deployers; everyone reads. */
const OWNERS = ['user:default/guest', 'user:default/ana'];
const PROD_DEPLOYERS = ['user:default/ana', 'user:default/pat'];
const authorize = jest.fn<
  ReturnType<PermissionsService['authorize']>,
  Parameters<PermissionsService['authorize']>
>(async (requests, { credentials }) => {
  const user = (credentials.principal as BackstageUserPrincipal).userEntityRef;
  return requests.map(r => {
    let allowed: boolean;
    if (r.permission.name === 'catalog.entity.read') allowed = true;
    else if (r.permission.name === 'devops-app.environment.production')
      allowed = PROD_DEPLOYERS.includes(user);
    else allowed = OWNERS.includes(user);
    return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  });
});

function setUp(shared: boolean) {
  authorize.mockClear();
  const catalog = catalogServiceMock({
    entities: [entity, ...STANDARD_ENVIRONMENTS],
  });
  const getEntityByRef = jest.spyOn(catalog, 'getEntityByRef');
  const resolver = new EnvironmentResolver(catalog);
  const permissions = mockServices.permissions.mock({ authorize });
  const service = {
    repository: () => ({ configured: true, branch: 'main' }),
    status: jest.fn(async ({ environment, permissions: decided }) => ({
      environment: environment.name,
      production: environment.production,
      permissions: decided,
    })),
  };
  const reads = new DeploymentStatusReads({
    service: service as unknown as DeploymentService,
    environments: resolver,
    permissions,
    reads: shared
      ? new SharedEntityReads({
          resolver,
          auth: mockServices.auth(),
          permissions,
        })
      : undefined,
  });
  return { reads, getEntityByRef };
}

const as = (user: string, authorization?: string) => ({
  credentials: mockCredentials.user(user),
  entityRef: ENTITY_REF,
  authorization,
});

/** Per environment, the actions allowed. */
const allowed = (response: Awaited<ReturnType<DeploymentStatusReads['status']>>) =>
  Object.fromEntries(
    response.items.map((i: any) => [
      i.environment,
      Object.entries(i.permissions)
        .filter(([, p]) => (p as { allowed: boolean }).allowed)
        .map(([a]) => a),
    ]),
  );

describe('DeploymentStatusReads', () => {
  it.each([true, false])(
    'decides every environment as the per-class questions did (shared reads: %s)',
    async shared => {
      const { reads } = setUp(shared);
      const all = ['deploy', 'sync', 'promote', 'abort'];
      expect(allowed(await reads.status(as('user:default/guest', 'g')))).toEqual({
        dev: all,
        'pre-prod': all,
        prod: [],
      });
      expect(allowed(await reads.status(as('user:default/ana', 'a')))).toEqual({
        dev: all,
        'pre-prod': all,
        prod: all,
      });
      expect(allowed(await reads.status(as('user:default/pat', 'p')))).toEqual({
        dev: [],
        'pre-prod': [],
        prod: [],
      });
      const eve = await reads.status(as('user:default/eve', 'e'));
      expect((eve.items[2] as any).permissions.deploy.reason).toBe(
        'Only members of group:default/ml-team who are also in group:default/prod-deployers may do this in production',
      );
    },
  );

  it("asks the permission framework once per caller's credential, and reads the catalog once, for 100 concurrent reads", async () => {
    const { reads, getEntityByRef } = setUp(true);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        reads.status(
          as(i % 2 ? 'user:default/guest' : 'user:default/ana', `Bearer ${i % 20}`),
        ),
      ),
    );
    expect(authorize).toHaveBeenCalledTimes(20);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    // Each answer is its own caller's: ana may deploy to prod, the guest may not.
    answers.forEach((a, i) =>
      expect((a.items[2] as any).permissions.deploy.allowed).toBe(i % 2 === 0),
    );
  });

  it('without shared reads, reads the catalog with the caller on every request', async () => {
    const { reads, getEntityByRef } = setUp(false);
    await Promise.all([
      reads.status(as('user:default/guest', 'x')),
      reads.status(as('user:default/guest', 'x')),
    ]);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    for (const call of getEntityByRef.mock.calls) {
      expect(call[1]).toEqual({
        credentials: mockCredentials.user('user:default/guest'),
      });
    }
  });
});
