import { LoggerService } from '@backstage/backend-plugin-api';
import {
  environmentValuesFile,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import {
  applyEnvironmentOutputs,
  environmentCatalogFile,
  EnvironmentOutputsResult,
  EnvironmentStackOutputs,
} from '@devops-app/plugin-devops-app-node';
import { PushRejectedError } from '../../deployments/git';
import {
  FilesChangeResult,
  GitOpsRepository,
} from '../../deployments/GitOpsRepository';

/** How a run's outputs ended up: committed, opened as a pull request, nothing to change, or not written. */
export interface OutputsPublication {
  status: 'committed' | 'pull-request' | 'unchanged' | 'failed';
  commit?: string;
  pullRequestUrl?: string;
  files: string[];
  error?: string;
}

/** Pushes lost to a concurrent write (a deploy from another backend instance) are tried again this often. */
const PUSH_ATTEMPTS = 3;

/**
 * After an applied run: writes what the stacks output into the environment's catalog file and Helm
 * values (`applyEnvironmentOutputs`) through the GitOps repository, in one commit authored by the user
 * who started the run, or a pull request where the repository opens them (production). Never throws:
 * the stacks are applied whatever happens here, so a failure becomes a line in the run's log (and the
 * backend's), nothing is pushed, and applying again retries it.
 */
export class EnvironmentOutputsPublisher {
  constructor(
    private readonly options: {
      gitops: Pick<
        GitOpsRepository,
        'commitFiles' | 'opensPullRequests' | 'repository' | 'branch'
      >;
      logger: LoggerService;
    },
  ) {}

  async publish(
    run: TerraformRun,
    log: (line: string) => void,
  ): Promise<OutputsPublication> {
    const { gitops, logger } = this.options;
    const environment = run.environment;
    const files = [
      environmentCatalogFile(environment),
      environmentValuesFile(environment),
    ];
    const outputs: EnvironmentStackOutputs = Object.fromEntries(
      run.stacks.map(s => [s.stack, s.outputs]),
    );
    let mapped: EnvironmentOutputsResult | undefined;
    const pullRequest = gitops.opensPullRequests
      ? {
          branch: `devops-app/outputs-${environment}-${run.id.slice(0, 8)}`,
          title: `Terraform outputs of ${environment}`,
          body: `Endpoints and identities the stacks of ${environment} output after Terraform run ${run.id}, requested on the portal by ${run.createdBy}.`,
        }
      : undefined;
    // Each attempt is a fresh clone, so the edit is made again on what the branch holds then.
    const commitOnce = () =>
      gitops.commitFiles({
        files,
        edit: texts => {
          mapped = applyEnvironmentOutputs({
            environment,
            outputs,
            catalog: texts[files[0]],
            values: texts[files[1]],
          });
          return mapped.files;
        },
        author: authorOf(run.createdBy),
        message: commitMessage(run),
        pullRequest,
      });
    try {
      let result: FilesChangeResult | undefined;
      for (let attempt = 1; !result; attempt++) {
        try {
          result = await commitOnce();
        } catch (e) {
          if (
            !(e instanceof PushRejectedError) ||
            pullRequest ||
            attempt >= PUSH_ATTEMPTS
          ) {
            throw e;
          }
          log(`outputs: the push lost a race (${e.message}); trying again`);
        }
      }
      describe(mapped, log);
      if (!result.changed) {
        log(
          "outputs: the environment's files already hold these outputs; no commit",
        );
        return { status: 'unchanged', files: [] };
      }
      const where = result.pullRequestUrl
        ? `pull request ${result.pullRequestUrl}`
        : `${gitops.branch} of ${gitops.repository}`;
      log(
        `outputs: committed ${result.commit} (${result.files.join(
          ', ',
        )}) to ${where}`,
      );
      logger.info(
        `Terraform run ${run.id}: outputs of ${environment} committed as ${result.commit} to ${where}`,
      );
      return {
        status: result.pullRequestUrl ? 'pull-request' : 'committed',
        commit: result.commit,
        pullRequestUrl: result.pullRequestUrl,
        files: result.files,
      };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      describe(mapped, log);
      log(
        `outputs: NOT committed, nothing was pushed (the stacks stay applied; apply again to retry): ${error}`,
      );
      logger.warn(
        `Terraform run ${run.id}: outputs of ${environment} not committed: ${error}`,
      );
      return { status: 'failed', files: [], error };
    }
  }
}

/** What the edit wrote and what it left, one line each (values are not repeated: the CA is long). */
function describe(
  mapped: EnvironmentOutputsResult | undefined,
  log: (line: string) => void,
) {
  for (const change of mapped?.changes ?? []) {
    log(`outputs: ${change.file} ${change.key} <- ${change.output}`);
  }
  for (const skipped of mapped?.skipped ?? []) log(`outputs: ${skipped}`);
}

function authorOf(userEntityRef: string): { name: string; email: string } {
  const name = userEntityRef.replace(/^user:(default\/)?/, '');
  return {
    name: userEntityRef,
    email: `${name.replace(/[^A-Za-z0-9._-]/g, '_')}@users.devops-app.local`,
  };
}

function commitMessage(run: TerraformRun): string {
  return [
    `environment(${run.environment}): Terraform outputs of run ${run.id}`,
    '',
    `Endpoints and identities the stacks output, after the apply ${run.createdBy} started on the portal`,
    '(catalog annotations, Helm values; infra/README.md "Outputs into the GitOps repository").',
  ].join('\n');
}
