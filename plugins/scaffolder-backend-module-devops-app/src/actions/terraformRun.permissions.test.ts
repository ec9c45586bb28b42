import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
// The action calls the real run service routes: the backend plugin, test only.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import devopsAppPlugin from '@devops-app/plugin-devops-app-backend';
import { TerraformRunClient } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTerraformRunAction } from './terraformRun';

/**
 * The terraform actions act with the initiator's credentials: through the real devops-app backend
 * plugin (its authorization layer and audit), a user who may not apply gets a failed step whose
 * reason names the permission and the environment, and no run is started. Runs are never executed
 * here (`concurrency: 0`).
 */
jest.setTimeout(60_000);

type Decision = Awaited<ReturnType<PermissionsService['authorize']>>[number];

const ANA = 'user:default/ana.ml';
const EVE = 'user:default/eve';

describe('devops-app:terraform:* with the initiator’s credentials', () => {
  let root: string;
  let baseUrl: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-action-perm-'));
    const { server } = await startTestBackend({
      features: [
        devopsAppPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: { name: 'pre-prod', namespace: 'default' },
              spec: { type: 'environment', owner: 'group:default/ml-team' },
            },
          ],
        }),
        // Ana may plan and apply pre-prod; eve may only plan it.
        mockServices.permissions.mock({
          authorize: async (requests, { credentials }) =>
            requests.map(r => {
              const user = (
                credentials as BackstageCredentials<BackstageUserPrincipal>
              ).principal.userEntityRef;
              const ok =
                user === ANA ||
                (user === EVE && r.permission.name.endsWith('.plan'));
              return { result: (ok ? 'ALLOW' : 'DENY') as Decision['result'] };
            }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            devopsApp: {
              terraform: {
                infraDir: path.resolve(__dirname, '../../../../infra'),
                stateDir: path.join(root, 'state'),
                workDir: path.join(root, 'runs'),
                concurrency: 0,
              },
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  /** The module's own client: on-behalf-of tokens for the initiator, as in the portal. */
  const client = () =>
    new TerraformRunClient({
      discovery: {
        getBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
        getExternalBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
      },
      auth: mockServices.auth(),
    });

  function action(mode: 'apply' | 'plan') {
    return createTerraformRunAction({
      mode,
      appBaseUrl: 'http://portal.test',
      runs: client(),
    });
  }

  async function context(initiator: string) {
    const workspacePath = await fs.mkdtemp(path.join(root, 'ws-'));
    const ctx = createMockActionContext({
      input: { environment: 'pre-prod' },
      workspacePath,
    });
    ctx.getInitiatorCredentials = async () => mockCredentials.user(initiator);
    return ctx;
  }

  it('fails the step of a user who may not apply, naming the permission and the environment, and starts nothing', async () => {
    const ctx = await context(EVE);
    await expect(action('apply').handler(ctx)).rejects.toThrow(
      'Not allowed to apply terraform runs of pre-prod (devops-app.terraform.apply on resource:default/pre-prod): only members of group:default/ml-team, its owner, may',
    );
    expect(ctx.output).not.toHaveBeenCalled();
    const runs = await fetch(`${baseUrl}/api/devops-app/terraform/runs`, {
      headers: { Authorization: mockCredentials.user.header(ANA) },
    }).then(r => r.json());
    expect(runs.items).toEqual([]);
    const audit = await fetch(
      `${baseUrl}/api/devops-app/audit?environment=pre-prod`,
      { headers: { Authorization: mockCredentials.user.header(ANA) } },
    ).then(r => r.json());
    expect(audit.items).toEqual([
      expect.objectContaining({
        actor: EVE,
        action: 'apply',
        result: 'denied',
      }),
    ]);
  });

  it("starts the run as the initiator when they may (the run's createdBy)", async () => {
    const ctx = await context(EVE);
    // Plan is allowed to eve: the run is created for her (it then waits in the queue, never run here).
    const run = await client().startRun(
      { environment: 'pre-prod', mode: 'plan', taskId: ctx.task.id },
      { credentials: await ctx.getInitiatorCredentials() },
    );
    expect(run).toMatchObject({ createdBy: EVE, status: 'queued' });
  });
});
