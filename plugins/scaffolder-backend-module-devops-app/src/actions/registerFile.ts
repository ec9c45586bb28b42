import { StepRefusal } from './StepRefusal';
import {
  CatalogService,
  locationSpecToMetadataName,
} from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_KUBERNETES_CLUSTER,
  ENVIRONMENT_ENTITY_TYPE,
  KUBERNETES_CLUSTER_ENTITY_TYPE,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { git as runGit } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { registerFileExamples } from './registerFile.examples';

/** Where the environment's catalog file is kept in the GitOps repository (the template writes it there). */
const repositoryPath = (name: string) => `catalog/environments/${name}.yaml`;

/**
 * The entities of an environment's catalog file: its environment Resource `<env>` and that
 * environment's kubernetes-cluster Resource `<env>-cluster`, nothing else. Returns the environment's
 * name; throws a StepRefusal naming `where` otherwise.
 */
function checkEnvironmentFile(content: string, where: string): string {
  const refuse = (why: string) =>
    new StepRefusal(
      `${where} must hold two Resources, an environment <env> and its kubernetes-cluster <env>-cluster: ${why}`,
    );
  const parsed = yaml.parseAllDocuments(content);
  const documents = Array.isArray(parsed) ? parsed : [];
  if (documents.some(d => d.errors.length > 0)) {
    throw refuse(
      `not valid YAML (${
        documents.find(d => d.errors.length)!.errors[0].message
      })`,
    );
  }
  const entities = documents.map(d => d.toJS());
  if (entities.length !== 2) {
    throw refuse(
      `it holds ${entities.length} document${entities.length === 1 ? '' : 's'}`,
    );
  }
  const [environment, cluster] = entities;
  const name: unknown = environment?.metadata?.name;
  if (
    environment?.kind !== 'Resource' ||
    environment?.spec?.type !== ENVIRONMENT_ENTITY_TYPE ||
    typeof name !== 'string' ||
    validateEnvironmentName(name)
  ) {
    throw refuse(
      'the first is not a Resource of type environment with a valid name',
    );
  }
  if (
    cluster?.kind !== 'Resource' ||
    cluster?.spec?.type !== KUBERNETES_CLUSTER_ENTITY_TYPE ||
    cluster?.metadata?.name !== `${name}-cluster`
  ) {
    throw refuse(
      `the second is not the Resource ${name}-cluster of type ${KUBERNETES_CLUSTER_ENTITY_TYPE}`,
    );
  }
  const namespace = (e: any) => e.metadata.namespace ?? 'default';
  const named =
    environment.metadata.annotations?.[ANNOTATION_KUBERNETES_CLUSTER];
  if (
    namespace(cluster) !== namespace(environment) ||
    (named !== undefined &&
      named !== `resource:${namespace(cluster)}/${name}-cluster`)
  ) {
    throw refuse(
      `${ANNOTATION_KUBERNETES_CLUSTER} of ${name} does not name resource:${namespace(
        cluster,
      )}/${name}-cluster`,
    );
  }
  return name;
}

/** The file at the tip of the branch, or undefined when the branch does not have it. */
async function readCommittedFile(
  gitops: { repository: string; branch: string },
  file: string,
): Promise<{ content: string; commit: string } | undefined> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'register-file-'));
  const git = (...args: string[]) => runGit(['--git-dir', dir, ...args]);
  try {
    await git('init', '--quiet', '--bare');
    await git(
      'fetch',
      '--quiet',
      '--depth',
      '1',
      '--no-tags',
      gitops.repository,
      `+refs/heads/${gitops.branch}:refs/heads/tip`,
    );
    const commit = (await git('rev-parse', 'refs/heads/tip')).trim();
    const content = await git('show', `refs/heads/tip:${file}`).catch(
      () => undefined,
    );
    return content === undefined ? undefined : { content, commit };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * `devops-app:catalog:register-file`: the local stand-in for `catalog:register`, which needs a URL the
 * catalog can read (a GitHub blob in production) and cannot add `file` locations. Takes an
 * environment's catalog file (its environment Resource `<env>` and kubernetes-cluster Resource
 * `<env>-cluster`) and keeps it in `catalogDir` (`.run/catalog` locally), which the catalog config lists
 * as the file location `<catalogDir>/*.yaml`, then asks the catalog to refresh that location now.
 *
 * With `gitops`, what is registered is the file as committed at the tip of the GitOps branch
 * (`catalog/environments/<env>.yaml`), not the workspace's copy: the Terraform run commits the
 * environment's endpoints into it after the apply, and the GitOps repository is what the portal
 * treats as the truth. The workspace file only says which environment it is, and must name the same
 * entities. Without `gitops` (a portal with no GitOps repository) the workspace file is registered.
 * A dry run reads and checks the workspace file and writes nothing.
 */
export function createRegisterFileAction(options: {
  catalog: CatalogService;
  catalogDir: string;
  /** The GitOps repository (`devopsApp.gitops`); a local path must be absolute. */
  gitops?: { repository: string; branch: string };
}) {
  const { catalog, catalogDir, gitops } = options;
  return createTemplateAction({
    id: 'devops-app:catalog:register-file',
    description:
      "Registers an environment's catalog file (environment and cluster Resources) in the catalog, as committed in the GitOps repository (local portal).",
    examples: registerFileExamples,
    supportsDryRun: true,
    schema: {
      input: {
        sourcePath: z =>
          z.string({ description: 'Workspace path of the entity file' }),
      },
      output: {
        entityRef: z => z.string({ description: 'The registered environment' }),
        clusterEntityRef: z =>
          z.string({
            description: "The environment's kubernetes-cluster Resource",
          }),
        catalogInfoPath: z =>
          z.string({ description: 'Where the entity file is kept' }),
        commit: z =>
          z
            .string({
              description:
                'The GitOps commit the registered file was read from',
            })
            .optional(),
      },
    },
    async handler(ctx) {
      const source = path.resolve(ctx.workspacePath, ctx.input.sourcePath);
      const where = `sourcePath: "${ctx.input.sourcePath}"`;
      if (!source.startsWith(`${ctx.workspacePath}${path.sep}`)) {
        throw new StepRefusal(`${where} is outside the workspace`);
      }
      const workspaceContent = await fs.readFile(source, 'utf8').catch(() => {
        throw new StepRefusal(`${where} does not exist`);
      });
      const name = checkEnvironmentFile(workspaceContent, where);
      const namespace =
        yaml.parseAllDocuments(workspaceContent)[0]?.toJS()?.metadata
          ?.namespace ?? 'default';
      const entityRef = `resource:${namespace}/${name}`;
      const target = path.join(catalogDir, `${name}.yaml`);
      ctx.output('entityRef', entityRef);
      ctx.output('clusterEntityRef', `resource:${namespace}/${name}-cluster`);
      ctx.output('catalogInfoPath', target);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would register ${entityRef} and its cluster${
            gitops ? ` from ${repositoryPath(name)} on ${gitops.branch}` : ''
          }`,
        );
        return;
      }

      let content = workspaceContent;
      if (gitops) {
        const committed = await readCommittedFile(gitops, repositoryPath(name));
        if (!committed) {
          throw new StepRefusal(
            `${where}: ${repositoryPath(name)} is not on branch ${
              gitops.branch
            } of the GitOps repository; commit it first (devops-app:gitops:commit)`,
          );
        }
        const committedName = checkEnvironmentFile(
          committed.content,
          `${repositoryPath(name)} on branch ${gitops.branch} (for ${where})`,
        );
        if (committedName !== name) {
          throw new StepRefusal(
            `${where} is environment ${name}, but ${repositoryPath(
              name,
            )} on branch ${gitops.branch} is ${committedName}`,
          );
        }
        content = committed.content;
        ctx.output('commit', committed.commit);
        ctx.logger.info(
          `Registering ${repositoryPath(
            name,
          )} as committed in ${committed.commit.slice(0, 12)} on ${
            gitops.branch
          }`,
        );
      }

      await fs.mkdir(catalogDir, { recursive: true });
      await fs.writeFile(target, content, { flag: 'wx' }).catch(error => {
        throw error.code === 'EEXIST'
          ? new StepRefusal(
              `${target} already exists: ${entityRef} is registered`,
            )
          : error;
      });
      const location = `location:default/${locationSpecToMetadataName({
        type: 'file',
        target: path.join(catalogDir, '*.yaml'),
      })}`;
      try {
        await catalog.refreshEntity(location, {
          credentials: await ctx.getInitiatorCredentials(),
        });
      } catch (error) {
        await fs.rm(target, { force: true });
        throw new StepRefusal(
          `The catalog has no file location ${path.join(
            catalogDir,
            '*.yaml',
          )} (${error}); add it to catalog.locations`,
        );
      }
      ctx.logger.info(`Registered ${entityRef} and its cluster from ${target}`);
    },
  });
}
