import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTerraformRunAction } from './terraformRun';
import { fakeRuns, logLine } from './__testUtils__/fakeRuns';

/**
 * The action against an in-memory run service that plays a run forward one poll at a time; the real
 * service with the real terraform is covered by the backend's tests and the template test.
 */
function fakeApply(final: Partial<TerraformRun>) {
  return fakeRuns({
    run: {
      id: 'run-1',
      environment: 'load-test',
      mode: 'apply',
      status: 'running',
      createdBy: 'user:default/mock',
      startedAt: '',
      stacks: [],
    },
    final,
    lines: [
      logLine(0, 'cluster', '$ terraform init', 'system'),
      logLine(1, 'cluster', 'Apply complete!'),
    ],
  });
}

describe('devops-app:terraform:apply', () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-action-'));
    const dir = path.join(workspace, 'infra/environments/load-test');
    await fs.mkdir(dir, { recursive: true });
    for (const stack of ['cluster', 'monitoring', 'storage']) {
      await fs.writeFile(
        path.join(dir, `${stack}.tfvars`),
        `environment = "load-test" # ${stack}\n`,
      );
    }
  });
  afterEach(() => fs.rm(workspace, { recursive: true, force: true }));

  it('sends the environment and the commit, nothing of the workspace, waits through the queue, streams the log and outputs the stacks', async () => {
    const runs = fakeApply({
      status: 'succeeded',
      stacks: [
        {
          stack: 'cluster',
          status: 'applied',
          plan: { add: 5, change: 0, destroy: 0 },
          outputs: { cluster_name: 'aks-x' },
        },
        {
          stack: 'storage',
          status: 'applied',
          outputs: {
            blob_endpoint: 'https://st.blob.core.windows.net/',
            container_name: 'treated-images',
          },
        },
      ],
    });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal/',
      pollIntervalMs: 1,
    });
    const logger = mockServices.logger.mock();
    const commit = 'a'.repeat(40);
    const ctx = createMockActionContext({
      input: { environment: 'load-test', commit },
      workspacePath: workspace,
      logger,
    });
    // The run waits in the queue first: the action keeps polling through it.
    runs.startRun.mockResolvedValueOnce({
      ...(await runs.startRun()),
      status: 'queued',
    });
    runs.startRun.mockClear();
    await action.handler(ctx);
    // Exactly these fields: the workspace's tfvars (written above) are never sent.
    expect(runs.startRun).toHaveBeenCalledWith(
      { environment: 'load-test', mode: 'apply', taskId: ctx.task.id, commit },
      { credentials: await ctx.getInitiatorCredentials() },
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'succeeded');
    expect(logger.info).toHaveBeenCalledWith('[cluster] $ terraform init');
    expect(logger.info).toHaveBeenCalledWith('[cluster] Apply complete!');
    expect(ctx.output).toHaveBeenCalledWith(
      'runUrl',
      'http://portal/devops-app/terraform-runs/run-1',
    );
    expect(ctx.output).toHaveBeenCalledWith('clusterName', 'aks-x');
    expect(ctx.output).toHaveBeenCalledWith(
      'storageContainerUrl',
      'https://st.blob.core.windows.net/treated-images',
    );
  });

  it('starts no run in a dry run: nothing is pushed for the server to read', async () => {
    const runs = fakeApply({ status: 'succeeded' });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
    });
    const ctx = {
      ...createMockActionContext({
        input: { environment: 'load-test' },
        workspacePath: workspace,
      }),
      isDryRun: true,
    };
    await action.handler(ctx);
    expect(runs.startRun).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('status', 'dry-run');
  });

  it('refuses a commit that is not a full commit id, and sends none for an empty one', async () => {
    const runs = fakeApply({ status: 'succeeded' });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
    });
    const bad = createMockActionContext({
      input: { environment: 'load-test', commit: 'main' },
      workspacePath: workspace,
    });
    await expect(action.handler(bad)).rejects.toThrow(
      /^commit: "main" must be a full 40-character commit id/,
    );
    expect(runs.startRun).not.toHaveBeenCalled();
    const ctx = createMockActionContext({
      input: { environment: 'load-test', commit: '' },
      workspacePath: workspace,
    });
    await action.handler(ctx);
    expect(runs.startRun).toHaveBeenCalledWith(
      { environment: 'load-test', mode: 'apply', taskId: ctx.task.id },
      expect.anything(),
    );
  });

  it('fails the step with the reason of a failed run', async () => {
    const runs = fakeApply({
      status: 'failed',
      error: 'cluster: terraform plan exited with 1',
    });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
    });
    const ctx = createMockActionContext({
      input: { environment: 'load-test' },
      workspacePath: workspace,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'Terraform run run-1 failed: cluster: terraform plan exited with 1',
    );
  });

  it('ends the step when the run awaits approval, with that status and the run link, and cancels nothing', async () => {
    const runs = fakeApply({
      status: 'awaiting-approval',
      stacks: [
        {
          stack: 'cluster',
          status: 'planned',
          plan: { add: 3, change: 0, destroy: 0 },
        },
      ],
    });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal/',
      pollIntervalMs: 1,
    });
    const ctx = createMockActionContext({
      input: { environment: 'prod' },
      workspacePath: workspace,
    });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('status', 'awaiting-approval');
    expect(ctx.output).toHaveBeenCalledWith(
      'runUrl',
      'http://portal/devops-app/terraform-runs/run-1',
    );
    expect(ctx.output).toHaveBeenCalledWith('stacks', {
      cluster: { status: 'planned', plan: { add: 3, change: 0, destroy: 0 } },
    });
    // It stopped polling at the awaiting state (two reads: running, then awaiting).
    expect(runs.getRun).toHaveBeenCalledTimes(2);
    expect(runs.cancelRun).not.toHaveBeenCalled();
  });

  it('cancels the run when the task is cancelled', async () => {
    const runs = fakeApply({ status: 'cancelled', error: 'Cancelled' });
    const controller = new AbortController();
    runs.startRun.mockImplementation(async () => {
      setTimeout(() => controller.abort(), 0);
      return {
        id: 'run-1',
        environment: 'load-test',
        mode: 'apply',
        status: 'running',
        createdBy: '',
        startedAt: '',
        stacks: [],
      };
    });
    const action = createTerraformRunAction({
      mode: 'apply',
      runs,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 5,
    });
    const ctx = {
      ...createMockActionContext({
        input: { environment: 'load-test' },
        workspacePath: workspace,
      }),
      signal: controller.signal,
    };
    await expect(action.handler(ctx)).rejects.toThrow(/cancelled/);
    expect(runs.cancelRun).toHaveBeenCalledWith('run-1', {
      credentials: await ctx.getInitiatorCredentials(),
    });
  });

  it.each(['Prod', '../x', 'a;b', 'x'.repeat(70)])(
    'refuses the environment %j before any run',
    async environment => {
      const runs = fakeApply({});
      const action = createTerraformRunAction({
        mode: 'apply',
        runs,
        appBaseUrl: 'http://portal',
      });
      const ctx = createMockActionContext({
        input: { environment },
        workspacePath: workspace,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/^environment:/);
      expect(runs.startRun).not.toHaveBeenCalled();
    },
  );
});
