import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { CallerEntityReads } from './CallerEntityReads';

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', annotations: { 'devops-app.io/namespace': 'x' } },
  spec: {},
};
const dev: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'dev' },
  spec: { type: 'environment', dependencyOf: ['component:default/svc'] },
  relations: [{ type: 'dependencyOf', targetRef: 'component:default/svc' }],
};

function setUp(windowMs = 2000) {
  const catalog = catalogServiceMock({ entities: [service, dev] });
  const getEntityByRef = jest.spyOn(catalog, 'getEntityByRef');
  let now = 1_000_000;
  const reads = new CallerEntityReads(new EnvironmentResolver(catalog), {
    windowMs,
    maxEntries: 100,
    now: () => now,
  });
  return {
    reads,
    getEntityByRef,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const request = (
  authorization: string | undefined,
  entityRef = 'component:default/svc',
) => ({
  credentials: mockCredentials.user('user:default/a'),
  authorization,
  entityRef,
  environment: 'dev',
});

describe('CallerEntityReads', () => {
  it("shares one catalog read between one caller's concurrent requests", async () => {
    const { reads, getEntityByRef } = setUp();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => reads.load(request('Bearer a'))),
    );
    expect(answers.every(a => a.environment.name === 'dev')).toBe(true);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
  });

  it('never shares a read between different credentials', async () => {
    const { reads, getEntityByRef } = setUp();
    await reads.load(request('Bearer a'));
    await reads.load(request('Bearer b'));
    await reads.load(request(undefined));
    await reads.load(request(undefined));
    expect(getEntityByRef).toHaveBeenCalledTimes(4);
    // Each read went with its own caller's credentials.
    for (const call of getEntityByRef.mock.calls) {
      expect(call[1]).toEqual({ credentials: request('x').credentials });
    }
  });

  it('reads again after the window, and after a failed read', async () => {
    const { reads, getEntityByRef, advance } = setUp(2000);
    await reads.load(request('Bearer a'));
    advance(1999);
    await reads.load(request('Bearer a'));
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    advance(1);
    await reads.load(request('Bearer a'));
    expect(getEntityByRef).toHaveBeenCalledTimes(2);

    const missing = request('Bearer a', 'component:default/nope');
    await expect(reads.load(missing)).rejects.toThrow(/no entity/);
    await expect(reads.load(missing)).rejects.toThrow(/no entity/);
    expect(getEntityByRef).toHaveBeenCalledTimes(4);
  });
});
