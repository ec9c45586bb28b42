import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseOrThrow, parseQuery } from '../request';
import { tooManyRequestsHandler } from '../upstreamErrors';
import { ArgoCdApiError, ArgoCdClient, toPortalError } from './ArgoCdClient';
import { ArgoCdService } from './ArgoCdService';

/** Roadie's annotations (@roadiehq/backstage-plugin-argo-cd, useArgoCDAppData). */
const APP_NAME = 'argocd/app-name';
const APP_SELECTOR = 'argocd/app-selector';
const PROJECT_NAME = 'argocd/project-name';

/** Printable, no control characters; Argo CD parses the value, the portal only passes it on. */
const printable = (field: string, max: number) =>
  z
    .string()
    .min(1, { error: `${field}: must not be empty` })
    .max(max, { error: `${field}: at most ${max} characters` })
    // Argo CD's names, projects, revisions and label selectors are ASCII: a control or invisible
    // character (NUL, a newline, a right-to-left override) is refused rather than sent on.
    .regex(/^[\x20-\x7e]*$/, {
      error: `${field}: only printable ASCII characters are allowed`,
    });
const appNamespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error: 'appNamespace: must be a Kubernetes namespace name',
});
const listQuery = z
  .object({
    selector: printable('selector', 1024).optional(),
    project: printable('project', 253).optional(),
    appNamespace: appNamespace.optional(),
  })
  .strict();
const oneQuery = z.object({ appNamespace: appNamespace.optional() }).strict();
const appName = printable('name', 253);
const revision = printable('revision', 255);

/**
 * Argo CD reads for Roadie's history card, behind the catalog's read permission. Roadie's
 * ArgoCDApiClient asks `<base>/argocd/api/applications?selector=|project=`, `.../applications/{name}`
 * and `.../applications/{name}/revisions/{revision}/metadata` (its `getBaseUrl` + the card's
 * `/argocd/api`); the app points its base at this plugin instead of the proxy. A read is served only
 * for an application that belongs to an entity the caller can read: the catalog, asked with the
 * caller's credentials (which applies `catalog.entity.read`), must return an entity whose Roadie
 * annotation names it (`argocd/app-name`), or whose `argocd/app-selector` or `argocd/project-name`
 * is the one asked for, or selects it in Argo CD. Anything else is 404 (existence does not leak) and
 * audited, as every read is. Answers are Argo CD's JSON as its API gives it (the card decodes them).
 */
export function createArgoCdReadRouter(options: {
  argocd: ArgoCdService;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}): express.Router {
  const { argocd, catalog, httpAuth, auditor } = options;
  const router = Router();

  /**
   * The entities with a Roadie annotation that the caller can read. Asked with EXISTS filters and
   * compared here: a selector holds commas, which the catalog's `filter` parameter splits on.
   */
  async function readableEntities(credentials: BackstageCredentials) {
    const { items } = await catalog.getEntities(
      {
        filter: [APP_NAME, APP_SELECTOR, PROJECT_NAME].map(a => ({
          [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
        })),
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    return items;
  }

  /** The first readable entity whose annotation is exactly `value`. */
  async function entityWith(
    credentials: BackstageCredentials,
    annotation: string,
    value: string,
  ) {
    return (await readableEntities(credentials)).find(
      e => e.metadata.annotations?.[annotation]?.trim() === value.trim(),
    );
  }

  /** The entity of the caller's that the application belongs to, or undefined. */
  async function ownerOf(
    credentials: BackstageCredentials,
    name: string,
    ns: string | undefined,
  ): Promise<string | undefined> {
    const entities = await readableEntities(credentials);
    const byName = entities.find(
      e => e.metadata.annotations?.[APP_NAME] === name,
    );
    if (byName) return stringifyEntityRef(byName);
    for (const entity of entities) {
      const selector = entity.metadata.annotations?.[APP_SELECTOR];
      if (!selector) continue;
      // Argo CD decides what the selector selects.
      const apps = await listEverywhere({ selector, appNamespace: ns });
      if (apps.some(a => a.metadata.name === name)) {
        return stringifyEntityRef(entity);
      }
    }
    return undefined;
  }

  async function listEverywhere(query: z.output<typeof listQuery>) {
    const lists = await Promise.all(
      argocd.clients.map(c =>
        c
          .listApplications(query.selector, {
            project: query.project,
            appNamespace: query.appNamespace,
          })
          .catch(e => {
            throw toPortalError(e, c.name, 'the applications');
          }),
      ),
    );
    return lists.flat();
  }

  /** The first instance that has the application (Argo CD says 403 where it has none). */
  async function findOne<T>(
    name: string,
    read: (client: ArgoCdClient) => Promise<T>,
  ): Promise<T> {
    let last: unknown;
    for (const client of argocd.clients) {
      try {
        return await read(client);
      } catch (e) {
        if (!(e instanceof ArgoCdApiError) || ![403, 404].includes(e.status)) {
          throw toPortalError(e, client.name, name);
        }
        last = toPortalError(e, client.name, name);
      }
    }
    throw last ?? new NotFoundError(`No Argo CD instance is configured`);
  }

  async function audited<T>(
    req: express.Request,
    meta: Parameters<AuditorService['createEvent']>[0]['meta'],
    run: (credentials: BackstageCredentials) => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId: 'argocd-read',
      request: req,
      meta,
    });
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const result = await run(credentials);
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/argocd/api/applications', async (req, res) => {
    const query = parseQuery(listQuery, req);
    const items = await audited(req, { query }, async credentials => {
      const [annotation, value] = query.selector
        ? [APP_SELECTOR, query.selector]
        : [PROJECT_NAME, query.project];
      if (!value || (query.selector && query.project)) {
        throw new NotFoundError(
          'Argo CD applications are read per entity: give selector (its argocd/app-selector) or project (its argocd/project-name)',
        );
      }
      if (!(await entityWith(credentials, annotation, value))) {
        throw new NotFoundError(
          `No entity you can read has ${annotation} ${JSON.stringify(value)}`,
        );
      }
      return listEverywhere(query);
    });
    res.json({ metadata: {}, items });
  });

  router.get('/argocd/api/applications/:name', async (req, res) => {
    const name = parseOrThrow(appName, req.params.name, 'path');
    const query = parseQuery(oneQuery, req);
    const app = await audited(req, { application: name }, async credentials => {
      await requireOwner(credentials, name, query.appNamespace);
      return findOne(name, c => c.getApplication(name, query));
    });
    res.json(app);
  });

  router.get(
    '/argocd/api/applications/:name/revisions/:revision/metadata',
    async (req, res) => {
      const name = parseOrThrow(appName, req.params.name, 'path');
      const rev = parseOrThrow(revision, req.params.revision, 'path');
      const query = parseQuery(oneQuery, req);
      const metadata = await audited(
        req,
        { application: name, revision: rev },
        async credentials => {
          await requireOwner(credentials, name, query.appNamespace);
          return findOne(name, c => c.revisionMetadata(name, rev, query));
        },
      );
      res.json(metadata);
    },
  );

  async function requireOwner(
    credentials: BackstageCredentials,
    name: string,
    ns: string | undefined,
  ) {
    if (!(await ownerOf(credentials, name, ns))) {
      throw new NotFoundError(
        `No entity you can read has the Argo CD application ${name}`,
      );
    }
  }

  router.use(tooManyRequestsHandler);
  return router;
}
