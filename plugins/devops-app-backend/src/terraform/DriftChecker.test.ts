import { mockServices } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DriftChecker } from './DriftChecker';
import { DriftStore } from './DriftStore';
import { EnvironmentInputs } from './EnvironmentInputs';
import {
  NO_OUTPUTS,
  createManager,
  gitopsFixture,
  perTestDatabase,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(240_000);

const ENV = 'drift-test';

/**
 * What someone changing the resource in the portal leaves behind, in the sandbox's terms: the sandbox
 * records each Azure resource as a terraform_data whose state is the resource, so the lifecycle rule's
 * `delete_after_days` is edited in the storage stack's state (input and output, as an apply would
 * have written them), as a refresh of the real rule would read it.
 */
async function changeLifecycleRuleOutOfBand(stateFile: string, days: number) {
  const state = JSON.parse(await fs.readFile(stateFile, 'utf8'));
  const rule = state.resources.find(
    (r: { type: string; name: string }) =>
      r.type === 'terraform_data' && r.name === 'treated_images_lifecycle',
  );
  const { attributes } = rule.instances[0];
  expect(attributes.input.value.delete_after_days).not.toBe(days);
  attributes.input.value.delete_after_days = days;
  attributes.output.value.delete_after_days = days;
  await fs.writeFile(stateFile, JSON.stringify(state, null, 2));
}

describe('DriftChecker on the sandbox stacks with the real terraform', () => {
  const t = perTestDatabase();

  it('reports an applied environment in sync, a resource changed out of band as drifted with counts, and in sync again after an apply', async () => {
    const { db, dirs } = t;
    const gitops = await gitopsFixture(dirs.root);
    const commit = await gitops.commit(ENV);
    const config = testConfig(dirs.root, {
      gitops: { repository: gitops.repository, branch: 'main' },
    });
    const manager = createManager(db, config, { outputs: NO_OUTPUTS });
    const store = new DriftStore(db);
    const inputs = new EnvironmentInputs({
      config,
      logger: mockServices.logger.mock(),
    });
    const checker = new DriftChecker({
      config,
      parallelism: 2,
      inputs,
      store,
      logger: mockServices.logger.mock(),
    });
    const apply = async () => {
      const { done } = await manager.startRun({
        environment: ENV,
        mode: 'apply',
        createdBy: 'user:default/guest',
      });
      expect((await done).status).toBe('succeeded');
    };
    const latest = async () =>
      Object.fromEntries(
        ((await store.latest([ENV])).get(ENV) ?? []).map(c => [c.stack, c]),
      );
    const stateFile = path.join(config.stateDir, ENV, 'storage.tfstate');

    try {
      await apply();
      expect(await store.appliedEnvironments()).toEqual([ENV]);
      const stateBefore = await fs.readFile(stateFile, 'utf8');

      const first = await checker.check(ENV, 'schedule');
      expect(first.map(c => [c.stack, c.status])).toEqual([
        ['cluster', 'in-sync'],
        ['monitoring', 'in-sync'],
        ['storage', 'in-sync'],
      ]);
      expect(first.every(c => c.commit === commit)).toBe(true);
      // A drift check changes no state.
      expect(await fs.readFile(stateFile, 'utf8')).toBe(stateBefore);

      await changeLifecycleRuleOutOfBand(stateFile, 1);
      const drifted = await checker.check(ENV, 'manual');
      expect(drifted.map(c => [c.stack, c.status])).toEqual([
        ['cluster', 'in-sync'],
        ['monitoring', 'in-sync'],
        ['storage', 'drifted'],
      ]);
      // terraform_data plans a changed input as an update in place: the rule, nothing else.
      expect(drifted[2].plan).toEqual({ add: 0, change: 1, destroy: 0 });
      const stored = await latest();
      expect(stored.storage).toMatchObject({
        status: 'drifted',
        plan: { add: 0, change: 1, destroy: 0 },
        trigger: 'manual',
        commit,
      });
      expect(Date.parse(stored.storage.checkedAt)).not.toBeNaN();
      // The check never applied: the out-of-band value is still in the state.
      expect(
        JSON.parse(await fs.readFile(stateFile, 'utf8')).resources.find(
          (r: { name: string }) => r.name === 'treated_images_lifecycle',
        ).instances[0].attributes.input.value.delete_after_days,
      ).toBe(1);

      await apply();
      const after = await checker.check(ENV, 'schedule');
      expect(after.map(c => [c.stack, c.status])).toEqual([
        ['cluster', 'in-sync'],
        ['monitoring', 'in-sync'],
        ['storage', 'in-sync'],
      ]);
      expect((await latest()).storage).toMatchObject({
        status: 'in-sync',
        trigger: 'schedule',
      });
      expect((await latest()).storage.plan).toBeUndefined();
      // Nothing of the checks is left in the work directory.
      expect(
        (await fs.readdir(config.workDir)).filter(d => d.startsWith('drift-')),
      ).toEqual([]);
    } finally {
      await manager.shutdown();
      await inputs.close();
    }
  });

  it('records a failed check with the reason, for every stack, when the environment has no files', async () => {
    const config = testConfig(t.dirs.root);
    const store = new DriftStore(t.db);
    const checker = new DriftChecker({
      config,
      parallelism: 1,
      inputs: new EnvironmentInputs({
        config,
        logger: mockServices.logger.mock(),
      }),
      store,
      logger: mockServices.logger.mock(),
    });
    const checks = await checker.check('no-such-env', 'manual');
    expect(checks.map(c => [c.stack, c.status])).toEqual([
      ['cluster', 'failed'],
      ['monitoring', 'failed'],
      ['storage', 'failed'],
    ]);
    expect(checks[0].error).toMatch(/"no-such-env" has no files/);
    expect((await store.latest(['no-such-env'])).get('no-such-env')).toEqual(
      checks,
    );
  });
});
