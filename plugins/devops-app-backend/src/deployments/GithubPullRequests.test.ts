import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { git } from './git';
import { GitOpsRepository } from './GitOpsRepository';
import { GithubPullRequests } from './GithubPullRequests';
import { createGitRemote, GitRemote } from './__testUtils__/gitRemote';

/**
 * Production deploys through a pull request: real git (bare remote in a temp dir) for the branch, and a
 * stand-in for GitHub's REST API on 127.0.0.1 answering `POST /repos/{owner}/{repo}/pulls` as GitHub
 * documents it (201 with html_url; 422 "Validation Failed" with errors). Credentials come from
 * Backstage's GitHub integration config. Not tested here: github.com itself.
 */
async function startGithubStandIn(answer: 'created' | 'exists') {
  const requests: { path: string; auth?: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', c => (raw += c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: JSON.parse(raw || '{}'),
      });
      res.setHeader('Content-Type', 'application/json');
      if (
        req.method !== 'POST' ||
        req.url !== '/repos/devops-app/gitops/pulls'
      ) {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'Not Found' }));
      } else if (req.headers.authorization !== 'Bearer gh-token') {
        res.statusCode = 401;
        res.end(JSON.stringify({ message: 'Bad credentials' }));
      } else if (answer === 'exists') {
        res.statusCode = 422;
        res.end(
          JSON.stringify({
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: 'A pull request already exists',
              },
            ],
          }),
        );
      } else {
        res.statusCode = 201;
        res.end(
          JSON.stringify({
            number: 7,
            html_url: 'https://github.example.test/devops-app/gitops/pull/7',
            state: 'open',
          }),
        );
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

// Every test runs real git processes; on a loaded 2-core machine they can take seconds (not a speed check).
jest.setTimeout(60_000);

describe('production deploys through a GitHub pull request', () => {
  let remote: GitRemote;
  beforeEach(async () => {
    remote = await createGitRemote();
  });
  afterEach(async () => {
    await remote.cleanup();
  });

  async function repository(apiBaseUrl: string) {
    const config = mockServices.rootConfig({
      data: {
        integrations: {
          github: [
            { host: 'github.example.test', apiBaseUrl, token: 'gh-token' },
          ],
        },
        devopsApp: {
          gitops: {
            pullRequests: {
              github: {
                host: 'github.example.test',
                owner: 'devops-app',
                repo: 'gitops',
              },
            },
          },
        },
      },
    });
    return new GitOpsRepository({
      repository: remote.remote,
      branch: 'main',
      logger: mockServices.logger.mock(),
      pullRequests: GithubPullRequests.fromConfig(config),
    });
  }
  const change = {
    file: 'charts/inference/values-prod.yaml',
    tag: '2.0.0',
    author: { name: 'user:default/ana', email: 'ana@users.devops-app.local' },
    message: 'deploy prod 2.0.0',
    pullRequest: {
      branch: 'devops-app/deploy-prod-2.0.0-x',
      title: 'Deploy 2.0.0 to prod',
      body: 'from the portal',
    },
  };

  it('pushes a branch and opens a pull request into main; main does not move', async () => {
    const github = await startGithubStandIn('created');
    try {
      const repo = await repository(github.url);
      const head = await remote.head();
      const result = await repo.commitImageTag(change);
      expect(result).toMatchObject({
        changed: true,
        pullRequestUrl: 'https://github.example.test/devops-app/gitops/pull/7',
      });
      expect(await remote.head()).toBe(head);
      const branchTip = (
        await git([
          '--git-dir',
          remote.remote,
          'rev-parse',
          `refs/heads/${change.pullRequest.branch}`,
        ])
      ).trim();
      expect(branchTip).toBe(result.commit);
      expect(github.requests).toEqual([
        {
          path: '/repos/devops-app/gitops/pulls',
          auth: 'Bearer gh-token',
          body: {
            head: change.pullRequest.branch,
            base: 'main',
            title: 'Deploy 2.0.0 to prod',
            body: 'from the portal',
          },
        },
      ]);
      await repo.close();
    } finally {
      await github.close();
    }
  });

  it('removes the pushed branch again when GitHub refuses the pull request', async () => {
    const github = await startGithubStandIn('exists');
    try {
      const repo = await repository(github.url);
      const head = await remote.head();
      await expect(repo.commitImageTag(change)).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('A pull request already exists'),
      });
      expect(await remote.head()).toBe(head);
      const branches = await git([
        '--git-dir',
        remote.remote,
        'branch',
        '--list',
      ]);
      expect(branches.trim()).toBe('* main');
      await repo.close();
    } finally {
      await github.close();
    }
  });

  it('refuses a pull-request change when pull requests are not configured', async () => {
    const repo = new GitOpsRepository({
      repository: remote.remote,
      branch: 'main',
      logger: mockServices.logger.mock(),
    });
    expect(repo.opensPullRequests).toBe(false);
    await expect(repo.commitImageTag(change)).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(await remote.count()).toBe(1);
    await repo.close();
  });
});
