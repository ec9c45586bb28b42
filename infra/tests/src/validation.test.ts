import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TerraformConfig } from './hcl';
import { defaultInfraRoot, loadInfraTree } from './infraTree';
import { foldWhitespace } from './terraform/cli';
import { SandboxStackRun } from './terraform/sandboxRun';

/**
 * Bad inputs make the sandbox plan fail with the variable's own validation message. The stand-ins'
 * variables are the real stacks' (the structure test holds them equal), so the same inputs fail
 * the real stacks' plans the same way.
 */
const infraRoot = defaultInfraRoot();

function validationMessages(
  config: TerraformConfig,
  variable: string,
): string[] {
  const declared = config.variables.get(variable);
  if (!declared || declared.validations.length === 0) {
    throw new Error(`${config.dir}: variable ${variable} has no validation`);
  }
  return declared.validations.map(v => foldWhitespace(v.errorMessage));
}

describe('validation of bad inputs', () => {
  let scratch: string;
  const runs = new Map<string, SandboxStackRun>();
  const configs = new Map<string, TerraformConfig>();

  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'infra-validation-'));
    const tree = await loadInfraTree(infraRoot);
    for (const stack of ['cluster', 'storage']) {
      const run = new SandboxStackRun({
        infraRoot,
        stateDir: path.join(scratch, 'state'),
        workDir: path.join(scratch, 'work'),
        environment: 'dev',
        stack,
      });
      await run.init();
      runs.set(stack, run);
      configs.set(stack, tree.sandbox.get(stack)!);
    }
  });
  afterAll(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
  });

  async function expectRejected(
    stack: string,
    variable: string,
    value: string,
  ) {
    const result = await runs
      .get(stack)!
      .plan(['-var', `${variable}=${value}`], false);
    expect(result.code).not.toBe(0);
    const stderr = foldWhitespace(result.stderr);
    expect(stderr).toContain('Invalid value for variable');
    const messages = validationMessages(configs.get(stack)!, variable);
    expect(messages.some(message => stderr.includes(message))).toBe(true);
  }

  it.each([
    ['upper case', 'Dev'],
    ['a space', 'my env'],
    ['..', '..'],
    ['a path', 'dev/../prod'],
    ['a trailing dash', 'dev-'],
    ['too many characters', 'a-very-long-environment-name'],
  ])('rejects an environment name with %s (%j)', async (_, name) => {
    await expectRejected('cluster', 'environment', name);
    await expectRejected('storage', 'environment', name);
  });

  it.each([
    ['system_node_count', '0'],
    ['system_node_count', '1.5'],
    ['user_node_min_count', '0'],
    ['user_node_max_count', '0'],
  ])('rejects %s = %s', async (variable, value) => {
    await expectRejected('cluster', variable, value);
  });

  it('rejects a region written as a display name', async () => {
    await expectRejected('cluster', 'location', 'West Europe');
  });

  it('rejects a retention that ends before images reach the cool tier', async () => {
    await expectRejected('storage', 'retention_days', '5');
  });

  /** Plans the cluster stand-in with these variables set (-var name=value each). */
  function planCluster(variables: Record<string, string>) {
    const args = Object.entries(variables).flatMap(([name, value]) => [
      '-var',
      `${name}=${value}`,
    ]);
    return runs.get('cluster')!.plan(args, false);
  }

  const ADMIN_GROUP = '["01592e78-3447-48cb-91b9-b3e971f10a68"]';

  it.each([
    [
      'without an Entra ID admin group',
      { api_server_authorized_ip_ranges: '["203.0.113.0/24"]' },
      'admin_group_object_ids must name at least one Entra ID group in a production-class environment',
    ],
    [
      'whose API server is open to the internet',
      { admin_group_object_ids: ADMIN_GROUP },
      'A production-class environment needs api_server_authorized_ip_ranges or private_cluster_enabled = true',
    ],
  ])(
    'rejects a production-class environment %s',
    async (_, variables, message) => {
      const result = await planCluster({
        production_class: 'true',
        ...variables,
      });
      expect(result.code).not.toBe(0);
      expect(foldWhitespace(result.stderr)).toContain(message);
    },
  );

  it('accepts a production-class environment with an admin group and a private API server', async () => {
    const result = await planCluster({
      production_class: 'true',
      private_cluster_enabled: 'true',
      admin_group_object_ids: ADMIN_GROUP,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
  });

  it.each([
    ['api_server_authorized_ip_ranges', '["0.0.0.0/0"]'],
    ['api_server_authorized_ip_ranges', '["203.0.113.7"]'],
    ['admin_group_object_ids', '["Admins"]'],
    ['portal_reader_principal_ids', '["not-a-guid"]'],
    [
      'maintenance_window',
      '{day_of_week="Sun",start_time="02:00",duration_hours=4,utc_offset="+00:00"}',
    ],
    [
      'maintenance_window',
      '{day_of_week="Sunday",start_time="25:00",duration_hours=4,utc_offset="+00:00"}',
    ],
    [
      'maintenance_window',
      '{day_of_week="Sunday",start_time="02:00",duration_hours=2,utc_offset="+00:00"}',
    ],
    ['system_node_max_count', '0'],
    ['virtual_network_address_space', '10.240.0.0/28'],
    ['container_registry_name', 'acr-with-dashes'],
    ['container_registry_sku', 'Gold'],
  ])('rejects %s = %s', async (variable, value) => {
    await expectRejected('cluster', variable, value);
  });

  it('rejects authorized ranges on a private API server', async () => {
    const result = await planCluster({
      private_cluster_enabled: 'true',
      api_server_authorized_ip_ranges: '["203.0.113.0/24"]',
    });
    expect(result.code).not.toBe(0);
    expect(foldWhitespace(result.stderr)).toContain(
      'api_server_authorized_ip_ranges applies to a public API server only',
    );
  });

  it.each([
    ['training_service_account', 'inference'],
    ['change_feed_retention_days', '0'],
    ['private_endpoint_subnet_id', '/subscriptions/x/resourceGroups/y'],
  ])('rejects storage %s = %s', async (variable, value) => {
    await expectRejected('storage', variable, value);
  });

  it('accepts the environment names the portal generates', async () => {
    for (const name of ['dev', 'pre-prod', 'load-test', 'qa2']) {
      const result = await runs
        .get('cluster')!
        .plan(['-var', `environment=${name}`], false);
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({
        name,
        code: 0,
        stderr: '',
      });
    }
  });
});
