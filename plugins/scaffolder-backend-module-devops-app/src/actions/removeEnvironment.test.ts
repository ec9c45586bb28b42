import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import yaml from 'yaml';
import { createRemoveEnvironmentAction } from './removeEnvironment';
import { removeEnvironmentExamples } from './removeEnvironment.examples';
import { fakeRuns, logLine } from './__testUtils__/fakeRuns';

/**
 * The action against an in-memory run service that plays the destroy run forward one poll at a time
 * and a catalog that drops the entity after a few reads; the backend's teardown route itself (the
 * authorization, the order of the stacks, the removal commit) is tested in the backend and in the
 * browser test (e2e/src/teardown.test.ts).
 */
function fakeDestroy(final: Partial<TerraformRun>) {
  return fakeRuns({
    run: {
      id: 'run-3',
      environment: 'ttl-test',
      mode: 'destroy',
      status: 'queued',
      createdBy: 'user:default/mock',
      startedAt: '',
      stacks: [],
    },
    first: { status: 'running' },
    final,
    lines: [
      logLine(
        0,
        'monitoring',
        'Apply complete! Resources: 0 added, 0 changed, 2 destroyed.',
      ),
      logLine(
        1,
        'cluster',
        'Apply complete! Resources: 0 added, 0 changed, 5 destroyed.',
      ),
    ],
  });
}

/** A catalog holding the entity for its first `reads` reads. */
function fakeCatalog(reads: number) {
  let n = 0;
  return {
    getEntityByRef: jest.fn(async (ref: string) =>
      n++ < reads
        ? { apiVersion: 'v1', kind: 'Resource', metadata: { name: ref } }
        : undefined,
    ),
  };
}

async function refusal(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message },
        request: { method: 'POST', url: '/terraform/environments/x/remove' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

describe('devops-app:environment:remove', () => {
  it("asks the backend's teardown route with the user's credentials, streams the destroy, and ends once the entity left the catalog", async () => {
    const runs = fakeDestroy({
      status: 'succeeded',
      stacks: [
        { stack: 'monitoring', status: 'destroyed' },
        { stack: 'storage', status: 'destroyed' },
        { stack: 'cluster', status: 'destroyed' },
      ],
    });
    const catalog = fakeCatalog(2);
    const action = createRemoveEnvironmentAction({
      runs,
      catalog,
      appBaseUrl: 'http://portal/',
      pollIntervalMs: 1,
    });
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: { environment: 'resource:default/ttl-test', confirm: 'ttl-test' },
      logger,
    });
    await action.handler(ctx);
    const credentials = await ctx.getInitiatorCredentials();
    expect(runs.removeEnvironment).toHaveBeenCalledWith(
      'ttl-test',
      'ttl-test',
      { credentials },
    );
    expect(runs.startRun).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith(
      '[monitoring] Apply complete! Resources: 0 added, 0 changed, 2 destroyed.',
    );
    expect(logger.info).toHaveBeenCalledWith(
      '[cluster] Apply complete! Resources: 0 added, 0 changed, 5 destroyed.',
    );
    expect(ctx.output).toHaveBeenCalledWith('runId', 'run-3');
    expect(ctx.output).toHaveBeenCalledWith(
      'runUrl',
      'http://portal/devops-app/terraform-runs/run-3',
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'succeeded');
    // Read until it was gone: twice there, then not.
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(3);
    expect(catalog.getEntityByRef).toHaveBeenCalledWith(
      'resource:default/ttl-test',
      { credentials },
    );
    expect(logger.info).toHaveBeenLastCalledWith(
      expect.stringMatching(/^Removed ttl-test: .* left the catalog/),
    );
  });

  it.each([
    [
      { environment: 'ttl-test', confirm: 'ttl-tes' },
      `confirm: must be the environment's name, "ttl-test", typed again`,
    ],
    [
      { environment: 'component:default/ttl-test', confirm: 'ttl-test' },
      'environment: "component:default/ttl-test" is not an environment of the catalog (resource:default/<name>)',
    ],
    [
      { environment: 'resource:other/ttl-test', confirm: 'ttl-test' },
      'environment: "resource:other/ttl-test" is not an environment of the catalog (resource:default/<name>)',
    ],
    [{ environment: 'TTL', confirm: 'TTL' }, /^environment: "TTL" /],
  ])('refuses %j before asking the backend', async (input, message) => {
    const runs = fakeDestroy({});
    const action = createRemoveEnvironmentAction({
      runs,
      catalog: fakeCatalog(0),
      appBaseUrl: 'http://portal',
    });
    await expect(
      action.handler(createMockActionContext({ input })),
    ).rejects.toThrow(message);
    expect(runs.removeEnvironment).not.toHaveBeenCalled();
  });

  it("fails the step with the backend's reason when it refuses (a protected environment, not the owner)", async () => {
    const runs = fakeDestroy({});
    const reason =
      'dev is protected (devops-app.io/protected): the portal never removes it';
    runs.removeEnvironment.mockRejectedValueOnce(await refusal(403, reason));
    const action = createRemoveEnvironmentAction({
      runs,
      catalog: fakeCatalog(1),
      appBaseUrl: 'http://portal',
    });
    const error = await action
      .handler(
        createMockActionContext({
          input: { environment: 'resource:default/dev', confirm: 'dev' },
        }),
      )
      .catch(e => e);
    expect(error.message).toBe(`Cannot remove dev: ${reason}`);
    // A refusal, not a bug: the task log shows the message without a stack.
    expect(error.stack).toBe(`InputError: Cannot remove dev: ${reason}`);
    expect(runs.readLog).not.toHaveBeenCalled();
  });

  it('fails the step when the destroy does not succeed, and does not wait for the catalog', async () => {
    const runs = fakeDestroy({
      status: 'failed',
      error: 'cluster: terraform destroy exited with 1',
    });
    const catalog = fakeCatalog(99);
    const action = createRemoveEnvironmentAction({
      runs,
      catalog,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
    });
    await expect(
      action.handler(
        createMockActionContext({
          input: { environment: 'ttl-test', confirm: 'ttl-test' },
        }),
      ),
    ).rejects.toThrow(
      "Destroy run run-3 failed: cluster: terraform destroy exited with 1; ttl-test's files and catalog entity stay",
    );
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });

  it('fails the step when the entity is still in the catalog after the bound', async () => {
    const action = createRemoveEnvironmentAction({
      runs: fakeDestroy({ status: 'succeeded' }),
      catalog: fakeCatalog(1_000_000),
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
      catalogWaitMs: 20,
    });
    await expect(
      action.handler(
        createMockActionContext({
          input: { environment: 'ttl-test', confirm: 'ttl-test' },
        }),
      ),
    ).rejects.toThrow(
      /^The stacks of ttl-test are destroyed, but resource:default\/ttl-test is still in the catalog after 0.02 s/,
    );
  });

  it('removes nothing in a dry run', async () => {
    const runs = fakeDestroy({});
    const action = createRemoveEnvironmentAction({
      runs,
      catalog: fakeCatalog(1),
      appBaseUrl: 'http://portal',
    });
    const ctx = {
      ...createMockActionContext({
        input: { environment: 'ttl-test', confirm: 'ttl-test' },
      }),
      isDryRun: true,
    };
    await action.handler(ctx);
    expect(runs.removeEnvironment).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('status', 'dry-run');
  });

  it('cancels the destroy run when the task is cancelled', async () => {
    const runs = fakeDestroy({ status: 'cancelled', error: 'Cancelled' });
    const controller = new AbortController();
    runs.removeEnvironment.mockImplementationOnce(async () => {
      setTimeout(() => controller.abort(), 0);
      return {
        id: 'run-3',
        environment: 'ttl-test',
        mode: 'destroy',
        status: 'running',
        createdBy: '',
        startedAt: '',
        stacks: [],
      };
    });
    const action = createRemoveEnvironmentAction({
      runs,
      catalog: fakeCatalog(1),
      appBaseUrl: 'http://portal',
      pollIntervalMs: 5,
    });
    const ctx = {
      ...createMockActionContext({
        input: { environment: 'ttl-test', confirm: 'ttl-test' },
      }),
      signal: controller.signal,
    };
    await expect(action.handler(ctx)).rejects.toThrow(/cancelled/);
    expect(runs.cancelRun).toHaveBeenCalledWith('run-3', {
      credentials: await ctx.getInitiatorCredentials(),
    });
  });

  it('its examples are steps of this action with inputs of its schema', () => {
    expect(removeEnvironmentExamples.length).toBeGreaterThan(0);
    for (const { example } of removeEnvironmentExamples) {
      const { steps } = yaml.parse(example);
      expect(steps).toEqual([
        expect.objectContaining({
          action: 'devops-app:environment:remove',
          input: {
            environment: expect.any(String),
            confirm: expect.any(String),
          },
        }),
      ]);
    }
  });
});
