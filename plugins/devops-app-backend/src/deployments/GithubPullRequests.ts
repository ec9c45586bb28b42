import { RootConfigService } from '@backstage/backend-plugin-api';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';

/**
 * Opens pull requests on the GitOps repository through GitHub's REST API
 * (`POST /repos/{owner}/{repo}/pulls`), with credentials from Backstage's GitHub integration
 * (`integrations.github[]`: a token or a GitHub App). Production deploys go through a pull request.
 */
export class GithubPullRequests {
  static fromConfig(config: RootConfigService): GithubPullRequests | undefined {
    const block = config.getOptionalConfig(
      'devopsApp.gitops.pullRequests.github',
    );
    if (!block) {
      return undefined;
    }
    const host = block.getOptionalString('host') ?? 'github.com';
    const integrations = ScmIntegrations.fromConfig(config);
    const integration = integrations.github.byHost(host);
    if (!integration) {
      throw new Error(
        `devopsApp.gitops.pullRequests.github.host ${host} has no integrations.github entry`,
      );
    }
    const owner = block.getString('owner');
    const repo = block.getString('repo');
    const credentials =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    return new GithubPullRequests({
      apiBaseUrl: integration.config.apiBaseUrl ?? 'https://api.github.com',
      owner,
      repo,
      getToken: async () =>
        (
          await credentials.getCredentials({
            url: `https://${host}/${owner}/${repo}`,
          })
        ).token,
    });
  }

  constructor(
    private readonly options: {
      apiBaseUrl: string;
      owner: string;
      repo: string;
      getToken: () => Promise<string | undefined>;
    },
  ) {}

  /** Opens the pull request and returns its web URL. */
  async open(request: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<string> {
    const { apiBaseUrl, owner, repo } = this.options;
    const token = await this.options.getToken();
    if (!token) {
      throw new ServiceUnavailableError(
        `No GitHub credentials for ${owner}/${repo}`,
      );
    }
    const response = await fetch(
      `${apiBaseUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(
        owner,
      )}/${encodeURIComponent(repo)}/pulls`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': '2022-11-28',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(request),
      },
    );
    const body = (await response.json().catch(() => ({}))) as {
      html_url?: string;
      message?: string;
      errors?: { message?: string }[];
    };
    if (response.status === 201 && body.html_url) {
      return body.html_url;
    }
    const detail = [body.message, ...(body.errors ?? []).map(e => e.message)]
      .filter(Boolean)
      .join(': ');
    if (response.status === 422) {
      throw new ConflictError(`GitHub refused the pull request: ${detail}`);
    }
    throw new ServiceUnavailableError(
      `GitHub answered ${response.status}: ${detail}`,
    );
  }
}
