import {
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deploymentCreatePermission } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { SharedEntityReads } from './SharedEntityReads';

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc' },
  spec: {},
};
const environment = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name },
  spec: { type: 'environment', dependencyOf: ['component:default/svc'] },
  relations: [{ type: 'dependencyOf', targetRef: 'component:default/svc' }],
});

/** eve may not read the service; bob may not read prod; everyone else reads all; only ana deploys. */
const authorize = jest.fn<
  ReturnType<PermissionsService['authorize']>,
  Parameters<PermissionsService['authorize']>
>(async (requests, { credentials }) => {
  const user = (credentials.principal as BackstageUserPrincipal).userEntityRef;
  return requests.map(r => {
    const ref = 'resourceRef' in r ? r.resourceRef : undefined;
    let allowed = true;
    if (r.permission.name === 'catalog.entity.read') {
      allowed = !(
        (user === 'user:default/eve' && ref === 'component:default/svc') ||
        (user === 'user:default/bob' && ref === 'resource:default/prod')
      );
    } else {
      allowed = user === 'user:default/ana';
    }
    return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  });
});

function setUp(shareMs = 2000) {
  const catalog = catalogServiceMock({
    entities: [service, environment('dev'), environment('prod')],
  });
  const getEntityByRef = jest.spyOn(catalog, 'getEntityByRef');
  const getEntities = jest.spyOn(catalog, 'getEntities');
  let now = 1_000_000;
  authorize.mockClear();
  const reads = new SharedEntityReads({
    resolver: new EnvironmentResolver(catalog),
    auth: mockServices.auth(),
    permissions: mockServices.permissions.mock({ authorize }),
    shareMs,
    now: () => now,
  });
  return {
    reads,
    getEntityByRef,
    getEntities,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const as = (user: string, authorization: string | undefined) => ({
  credentials: mockCredentials.user(user),
  authorization,
  entityRef: 'component:default/svc',
});
const deploy = (resolved: { entityRef: string }) => [
  { permission: deploymentCreatePermission, resourceRef: resolved.entityRef },
];

describe('SharedEntityReads', () => {
  it('reads the catalog once for every caller, with its own service credentials', async () => {
    const { reads, getEntityByRef, getEntities } = setUp();
    await Promise.all(
      ['a', 'b', 'c', 'a', 'b'].map(t =>
        reads.load(as(`user:default/${t}`, `Bearer ${t}`)),
      ),
    );
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    expect(getEntities).toHaveBeenCalledTimes(1);
    expect(getEntityByRef.mock.calls[0][1]).toEqual({
      credentials: mockCredentials.service('plugin:test'),
    });
  });

  it("asks the permission framework once per credential, with that caller's credentials, in one request", async () => {
    const { reads } = setUp();
    const answers = await Promise.all([
      reads.load(as('user:default/ana', 'Bearer ana'), deploy),
      reads.load(as('user:default/ana', 'Bearer ana'), deploy),
      reads.load(as('user:default/guest', 'Bearer guest'), deploy),
      // The same user with another token asks on its own.
      reads.load(as('user:default/ana', 'Bearer ana-2'), deploy),
    ]);
    expect(authorize).toHaveBeenCalledTimes(3);
    for (const [requests, { credentials }] of authorize.mock.calls) {
      expect(
        requests.map(r => [
          r.permission.name,
          'resourceRef' in r && r.resourceRef,
        ]),
      ).toEqual([
        ['catalog.entity.read', 'component:default/svc'],
        ['catalog.entity.read', 'resource:default/dev'],
        ['catalog.entity.read', 'resource:default/prod'],
        ['devops-app.deployment.create', 'component:default/svc'],
      ]);
      expect(credentials.principal).toHaveProperty('userEntityRef');
    }
    expect(authorize.mock.calls.map(c => c[1].credentials)).toEqual([
      mockCredentials.user('user:default/ana'),
      mockCredentials.user('user:default/guest'),
      mockCredentials.user('user:default/ana'),
    ]);
    expect(answers.map(a => a.decisions)).toEqual([
      [AuthorizeResult.ALLOW],
      [AuthorizeResult.ALLOW],
      [AuthorizeResult.DENY],
      [AuthorizeResult.ALLOW],
    ]);
  });

  it("answers each caller as the catalog would: 404 for an entity it may not read, environments it may not read left out", async () => {
    const { reads } = setUp();
    await expect(
      reads.load(as('user:default/eve', 'Bearer eve')),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'entityRef: no entity component:default/svc that you may read',
    });
    const bob = await reads.load(as('user:default/bob', 'Bearer bob'));
    expect(bob.environments.map(e => e.name)).toEqual(['dev']);
    const guest = await reads.load(as('user:default/guest', 'Bearer guest'));
    expect(guest.environments.map(e => e.name)).toEqual(['dev', 'prod']);
    // Another caller's denial did not leak into the shared read.
    expect(
      (await reads.load(as('user:default/eve', 'Bearer guest'))).environments,
    ).toHaveLength(2);
  });

  it('asks again after the window; without a credential header, on every request; a missing entity is a 404', async () => {
    const { reads, getEntityByRef, advance } = setUp(2000);
    await reads.load(as('user:default/a', 'Bearer a'));
    advance(1999);
    await reads.load(as('user:default/a', 'Bearer a'));
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    advance(1);
    await reads.load(as('user:default/a', 'Bearer a'));
    expect(authorize).toHaveBeenCalledTimes(2);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    await reads.load(as('user:default/a', undefined));
    await reads.load(as('user:default/a', undefined));
    expect(authorize).toHaveBeenCalledTimes(4);
    await expect(
      reads.load({ ...as('user:default/a', 'Bearer a'), entityRef: 'component:default/none' }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('with shareMs 0 shares nothing', async () => {
    const { reads, getEntityByRef } = setUp(0);
    await Promise.all([
      reads.load(as('user:default/a', 'Bearer a')),
      reads.load(as('user:default/a', 'Bearer a')),
    ]);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    expect(authorize).toHaveBeenCalledTimes(2);
  });
});
