import { InputError } from '@backstage/errors';
import {
  CatalogService,
  locationSpecToMetadataName,
} from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { validateEnvironmentName } from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { registerFileExamples } from './registerFile.examples';

/**
 * `devops-app:catalog:register-file`: the local stand-in for `catalog:register`, which needs a URL the
 * catalog can read (a GitHub blob in production) and cannot add `file` locations. Copies an
 * environment Resource from the workspace into `catalogDir` (`.run/catalog` locally), which the
 * catalog config lists as the file location `<catalogDir>/*.yaml`, and asks the catalog to refresh
 * that location now. Only a single Resource of type environment is accepted. A dry run writes nothing.
 */
export function createRegisterFileAction(options: {
  catalog: CatalogService;
  catalogDir: string;
}) {
  const { catalog, catalogDir } = options;
  return createTemplateAction({
    id: 'devops-app:catalog:register-file',
    description:
      'Registers an environment Resource file from the workspace in the catalog (local portal).',
    examples: registerFileExamples,
    supportsDryRun: true,
    schema: {
      input: {
        sourcePath: z =>
          z.string({ description: 'Workspace path of the entity file' }),
      },
      output: {
        entityRef: z => z.string({ description: 'The registered entity' }),
        catalogInfoPath: z =>
          z.string({ description: 'Where the entity file is kept' }),
      },
    },
    async handler(ctx) {
      const source = path.resolve(ctx.workspacePath, ctx.input.sourcePath);
      if (!source.startsWith(`${ctx.workspacePath}${path.sep}`)) {
        throw new InputError(
          `sourcePath: "${ctx.input.sourcePath}" is outside the workspace`,
        );
      }
      const content = await fs.readFile(source, 'utf8').catch(() => {
        throw new InputError(
          `sourcePath: "${ctx.input.sourcePath}" does not exist`,
        );
      });
      const documents = yaml.parseAllDocuments(content).map(d => d.toJSON());
      const entity = documents[0];
      const name: unknown = entity?.metadata?.name;
      if (
        documents.length !== 1 ||
        entity?.kind !== 'Resource' ||
        entity?.spec?.type !== 'environment' ||
        typeof name !== 'string' ||
        validateEnvironmentName(name)
      ) {
        throw new InputError(
          `sourcePath: "${ctx.input.sourcePath}" must hold one Resource of type environment with a valid name`,
        );
      }
      const entityRef = `resource:${
        entity.metadata.namespace ?? 'default'
      }/${name}`;
      const target = path.join(catalogDir, `${name}.yaml`);
      ctx.output('entityRef', entityRef);
      ctx.output('catalogInfoPath', target);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would register ${entityRef}`);
        return;
      }
      await fs.mkdir(catalogDir, { recursive: true });
      await fs.writeFile(target, content, { flag: 'wx' }).catch(error => {
        throw error.code === 'EEXIST'
          ? new InputError(
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
        throw new InputError(
          `The catalog has no file location ${path.join(
            catalogDir,
            '*.yaml',
          )} (${error}); add it to catalog.locations`,
        );
      }
      ctx.logger.info(`Registered ${entityRef} from ${target}`);
    },
  });
}
