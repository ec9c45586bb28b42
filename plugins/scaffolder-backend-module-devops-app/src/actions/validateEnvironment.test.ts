import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createValidateEnvironmentAction } from './validateEnvironment';

const environmentResource = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { type: 'environment', owner: 'group:default/platform-team' },
});

describe('devops-app:environment:validate', () => {
  const catalog = catalogServiceMock({
    entities: [environmentResource('dev'), environmentResource('pre-prod')],
  });
  const action = createValidateEnvironmentAction({
    catalog,
    environments: [
      {
        name: 'prod',
        title: 'Production',
        namespace: 'inference-prod',
        production: true,
      },
    ],
  });

  it('accepts a free, well-formed name and outputs its namespace', async () => {
    const ctx = createMockActionContext({
      input: { name: 'load-test', basedOn: 'pre-prod' },
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('name', 'load-test');
    expect(ctx.output).toHaveBeenCalledWith('namespace', 'inference-load-test');
  });

  it.each(['Load-Test', 'load test', '..', 'x'.repeat(40)])(
    'rejects the name %j',
    async name => {
      const ctx = createMockActionContext({ input: { name } });
      await expect(action.handler(ctx)).rejects.toThrow(
        `Environment name "${name}"`,
      );
      expect(ctx.output).not.toHaveBeenCalled();
    },
  );

  it('rejects a name an environment Resource already has', async () => {
    const ctx = createMockActionContext({ input: { name: 'pre-prod' } });
    await expect(action.handler(ctx)).rejects.toThrow(
      'already exists in the catalog (resource:default/pre-prod)',
    );
  });

  it('rejects a name the configuration already has', async () => {
    const ctx = createMockActionContext({ input: { name: 'prod' } });
    await expect(action.handler(ctx)).rejects.toThrow(
      'devopsApp.environments.prod',
    );
  });

  it('rejects an unknown base environment', async () => {
    const ctx = createMockActionContext({
      input: { name: 'perf', basedOn: 'staging' },
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'Base environment "staging" does not exist',
    );
  });
});
