import { mockServices } from '@backstage/backend-test-utils';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { PushRejectedError } from '../../deployments/git';
import { FilesChange } from '../../deployments/GitOpsRepository';
import { EnvironmentOutputsPublisher } from './EnvironmentOutputsPublisher';

const VALUES = 'environment: load-test\nstorage:\n  container: old\n';
const run: TerraformRun = {
  id: '0f1e2d3c-0000-4000-8000-000000000000',
  environment: 'load-test',
  mode: 'apply',
  status: 'running',
  createdBy: 'user:default/jane',
  startedAt: new Date(0).toISOString(),
  stacks: [
    {
      stack: 'storage',
      status: 'applied',
      outputs: { container_name: 'treated-images' },
    },
  ],
};

/** A GitOps repository stand-in: runs the edit on fixed texts, fails pushes as told. */
function fakeGitops(options: {
  rejections?: number;
  pullRequests?: boolean;
  values?: string;
}) {
  let rejections = options.rejections ?? 0;
  const changes: FilesChange[] = [];
  const edited: Record<string, string>[] = [];
  return {
    changes,
    edited,
    gitops: {
      repository: '/repo.git',
      branch: 'main',
      opensPullRequests: Boolean(options.pullRequests),
      commitFiles: async (change: FilesChange) => {
        changes.push(change);
        const after = await change.edit({
          'catalog/environments/load-test.yaml': undefined,
          'charts/inference/values-load-test.yaml': options.values ?? VALUES,
        });
        if (rejections-- > 0)
          throw new PushRejectedError('someone pushed first');
        edited.push(after);
        return {
          changed: true,
          files: Object.keys(after),
          commit: 'abc123',
          pullRequestUrl: change.pullRequest
            ? 'https://github.com/o/r/pull/7'
            : undefined,
        };
      },
    },
  };
}

describe('EnvironmentOutputsPublisher', () => {
  it('commits as the requester, trying again when a push lost a race', async () => {
    const fake = fakeGitops({ rejections: 2 });
    const lines: string[] = [];
    const publisher = new EnvironmentOutputsPublisher({
      gitops: fake.gitops,
      logger: mockServices.logger.mock(),
    });
    const result = await publisher.publish(run, l => lines.push(l));
    expect(result).toEqual({
      status: 'committed',
      commit: 'abc123',
      pullRequestUrl: undefined,
      files: ['charts/inference/values-load-test.yaml'],
    });
    expect(fake.changes).toHaveLength(3);
    expect(fake.changes[0].author).toEqual({
      name: 'user:default/jane',
      email: 'jane@users.devops-app.local',
    });
    expect(fake.changes[0].pullRequest).toBeUndefined();
    expect(fake.edited[0]['charts/inference/values-load-test.yaml']).toContain(
      'container: treated-images',
    );
    expect(lines.filter(l => l.includes('lost a race'))).toHaveLength(2);
    expect(lines).toContain(
      'outputs: committed abc123 (charts/inference/values-load-test.yaml) to main of /repo.git',
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^outputs: catalog\/environments\/load-test\.yaml: not in the repository/,
      ),
    );
  });

  it('opens a pull request where the repository opens them, and never retries one', async () => {
    const lines: string[] = [];
    const pr = fakeGitops({ pullRequests: true });
    const result = await new EnvironmentOutputsPublisher({
      gitops: pr.gitops,
      logger: mockServices.logger.mock(),
    }).publish(run, l => lines.push(l));
    expect(result.status).toBe('pull-request');
    expect(pr.changes[0].pullRequest?.branch).toBe(
      'devops-app/outputs-load-test-0f1e2d3c',
    );
    expect(lines).toContain(
      'outputs: committed abc123 (charts/inference/values-load-test.yaml) to pull request https://github.com/o/r/pull/7',
    );

    const rejected = fakeGitops({ pullRequests: true, rejections: 1 });
    const failed = await new EnvironmentOutputsPublisher({
      gitops: rejected.gitops,
      logger: mockServices.logger.mock(),
    }).publish(run, () => {});
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'someone pushed first',
    });
    expect(rejected.changes).toHaveLength(1);
  });

  it('reports an edit it cannot make as a failure line, never throwing', async () => {
    const lines: string[] = [];
    const result = await new EnvironmentOutputsPublisher({
      gitops: fakeGitops({ values: 'storage: [unclosed' }).gitops,
      logger: mockServices.logger.mock(),
    }).publish(run, l => lines.push(l));
    expect(result.status).toBe('failed');
    expect(lines[lines.length - 1]).toMatch(
      /^outputs: NOT committed, nothing was pushed \(the stacks stay applied; apply again to retry\): charts\/inference\/values-load-test\.yaml is not valid YAML/,
    );
  });
});
