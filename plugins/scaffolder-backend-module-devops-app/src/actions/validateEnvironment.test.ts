import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { createValidateEnvironmentAction } from './validateEnvironment';

const environmentResource = (
  name: string,
  annotations: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'environment', owner: 'group:default/platform-team' },
});

describe('devops-app:environment:validate', () => {
  const catalog = catalogServiceMock({
    entities: [
      environmentResource('dev'),
      environmentResource('pre-prod'),
      environmentResource('prod', { 'devops-app.io/production': 'true' }),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'ml-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
    ],
  });
  const action = createValidateEnvironmentAction({
    environments: new EnvironmentResolver(catalog),
    catalog,
  });

  it('accepts a free, well-formed name and outputs its namespace', async () => {
    const ctx = createMockActionContext({
      input: { name: 'load-test', basedOn: 'pre-prod' },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('name', 'load-test');
    expect(ctx.output).toHaveBeenCalledWith('namespace', 'inference-load-test');
    expect(ctx.output).toHaveBeenCalledWith('basedOn', 'pre-prod');
    expect(ctx.output).toHaveBeenCalledWith('production', false);
  });

  it("takes the entity ref the catalog picker gives, and the base environment's production class", async () => {
    const ctx = createMockActionContext({
      input: {
        name: 'prod-eu',
        basedOn: 'resource:default/prod',
        pinnedRevision: 'v1.2.0',
        adminGroupObjectId: '01592e78-3447-48cb-91b9-b3e971f10a68',
      },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('basedOn', 'prod');
    expect(ctx.output).toHaveBeenCalledWith('production', true);
  });

  it('a production-class environment needs a pinned revision: a commit SHA or a release tag', async () => {
    const missing = createMockActionContext({
      input: { name: 'prod-eu', basedOn: 'prod' },
    });
    await expect(action.handler(missing)).rejects.toThrow(
      /^pinnedRevision: required for a production-class environment \(based on prod\)/,
    );
    const branch = createMockActionContext({
      input: { name: 'prod-eu', basedOn: 'prod', pinnedRevision: 'main' },
    });
    await expect(action.handler(branch)).rejects.toThrow(
      'pinnedRevision: "main" is not a 40-hex commit SHA or a release tag vX.Y.Z',
    );
    expect(missing.output).not.toHaveBeenCalled();
    expect(branch.output).not.toHaveBeenCalled();
  });

  it('a production-class environment needs an Entra ID admin group for its cluster', async () => {
    const missing = createMockActionContext({
      input: { name: 'prod-eu', basedOn: 'prod', pinnedRevision: 'v1.2.0' },
    });
    await expect(action.handler(missing)).rejects.toThrow(
      /^adminGroupObjectId: required for a production-class environment \(based on prod\)/,
    );
    const malformed = createMockActionContext({
      input: {
        name: 'prod-eu',
        basedOn: 'prod',
        pinnedRevision: 'v1.2.0',
        adminGroupObjectId: 'admins',
      },
    });
    await expect(action.handler(malformed)).rejects.toThrow(
      'adminGroupObjectId: "admins" is not an Entra ID object ID',
    );
    expect(missing.output).not.toHaveBeenCalled();
    expect(malformed.output).not.toHaveBeenCalled();
  });

  it('refuses a base that is not an environment reference, naming the field', async () => {
    const ctx = createMockActionContext({
      input: { name: 'perf', basedOn: 'component:default/inference-service' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'basedOn: "component:default/inference-service" is not an environment (resource:<namespace>/<name>)',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it.each([
    ['Load-Test', 'name: "Load-Test" must be a lower-case DNS label'],
    ['load test', 'name: "load test" must be a lower-case DNS label'],
    ['..', 'name: ".." must be a lower-case DNS label'],
    ['dev\ninjected: true', 'name: "dev\\ninjected: true" must be'],
    ['\u202edev', 'name: "\\u202edev" must be'],
    ['x'.repeat(25), 'is longer than 24 characters'],
    ['', 'name: is empty'],
  ])('rejects the name %j, naming the field', async (name, message) => {
    const ctx = createMockActionContext({ input: { name } });
    await expect(action.handler(ctx)).rejects.toThrow(message);
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it.each([
    [{ imageTag: 'latest;rm' }, 'imageTag: "latest;rm" may only hold'],
    [{ imageTag: '-x' }, 'imageTag: "-x" may only hold'],
    [
      { owner: 'user:default/guest' },
      'owner: "user:default/guest" is not a group',
    ],
    [
      { owner: 'group:default/nobody' },
      'owner: "group:default/nobody" is not a group in the catalog',
    ],
    [{ owner: 'a/b/c' }, 'owner: "a/b/c" is not a group'],
    [
      { basedOn: 'resource:other/pre-prod' },
      'basedOn: "resource:other/pre-prod" is not an environment in the catalog',
    ],
  ])('rejects %j, naming the field', async (input, message) => {
    const ctx = createMockActionContext({
      input: { name: 'perf', basedOn: 'pre-prod', ...input },
    });
    await expect(action.handler(ctx)).rejects.toThrow(message);
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('outputs the owner group as a full entity ref', async () => {
    const ctx = createMockActionContext({
      input: { name: 'perf', basedOn: 'pre-prod', owner: 'ml-team' },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('owner', 'group:default/ml-team');
  });

  it('rejects a name an environment Resource already has', async () => {
    const ctx = createMockActionContext({ input: { name: 'pre-prod' } });
    await expect(action.handler(ctx)).rejects.toThrow(
      'already exists in the catalog (resource:default/pre-prod)',
    );
  });

  it('rejects a name a production environment already has', async () => {
    const ctx = createMockActionContext({ input: { name: 'prod' } });
    await expect(action.handler(ctx)).rejects.toThrow(
      'name: environment "prod" already exists in the catalog (resource:default/prod)',
    );
  });

  it('rejects an unknown base environment', async () => {
    const ctx = createMockActionContext({
      input: { name: 'perf', basedOn: 'staging' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'basedOn: "staging" is not an environment in the catalog (it has dev, pre-prod, prod)',
    );
  });
});
