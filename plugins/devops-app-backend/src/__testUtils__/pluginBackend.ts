import {
  BackendFeature,
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { devopsAppPlugin } from '../plugin';

type RootConfigData = NonNullable<
  Parameters<typeof mockServices.rootConfig.factory>[0]
>['data'];

/** The user a service call is made for; undefined for the plugin's own (service) credentials. */
export function userOf(options: unknown): string | undefined {
  const credentials = (options as { credentials?: BackstageCredentials })
    ?.credentials;
  return (credentials?.principal as BackstageUserPrincipal | undefined)
    ?.userEntityRef;
}

export interface PluginBackendOptions {
  /** The catalog's entities (catalogServiceMock). */
  entities: Entity[];
  /**
   * The entities the catalog does not show a caller, as catalog.entity.read would deny them: left out
   * of every read (by ref, by refs, by filter, by query). Default: every caller sees every entity.
   */
  hides?: (user: string | undefined, entity: Entity) => boolean;
  /**
   * The permission service's decision for a user and a permission's name (mockServices.permissions).
   * Default: Backstage's mock permission service, which allows everything.
   */
  allows?: (user: string | undefined, permission: string) => boolean;
  /** The root config (mockServices.rootConfig), e.g. `{ devopsApp: { ... } }`. */
  config: RootConfigData;
  /** More features or service factories: a database, an auditor mock, signals. */
  features?: BackendFeature[];
}

export interface PluginBackend {
  server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  /** The Authorization header of a user (mockCredentials); default Backstage's mock user. */
  as(user?: string): string;
  /** A request to `/api/devops-app<path>` as the user. */
  request(method: 'get' | 'post', path: string, user?: string): request.Test;
  get(path: string, user?: string): request.Test;
  post(path: string, user?: string, body?: object): request.Test;
  /** The audit entries of an environment (GET /audit, up to 500), read as `reader`. */
  auditOf(
    environment: string,
    reader?: string,
  ): Promise<Record<string, unknown>[]>;
}

/**
 * The devops-app plugin in Backstage's test backend (startTestBackend) with the mock catalog, the
 * permission decisions and the config a router test gives, and supertest requests to its routes as a
 * user. The backend stops after the test file (startTestBackend's own afterAll).
 */
export async function startPluginBackend(
  options: PluginBackendOptions,
): Promise<PluginBackend> {
  const { hides, allows } = options;
  const catalog = catalogServiceMock({ entities: options.entities });
  const shown = (opts: unknown) => (entity: Entity | undefined) =>
    entity !== undefined && !hides?.(userOf(opts), entity);
  const catalogForCallers = hides
    ? catalogServiceMock.mock({
        getEntityByRef: async (ref, opts) => {
          const entity = await catalog.getEntityByRef(ref, opts);
          return shown(opts)(entity) ? entity : undefined;
        },
        getEntities: async (req, opts) => {
          const all = await catalog.getEntities(req, opts);
          return { ...all, items: all.items.filter(shown(opts)) };
        },
        getEntitiesByRefs: async (req, opts) => {
          const all = await catalog.getEntitiesByRefs(req, opts);
          return {
            items: all.items.map(e => (shown(opts)(e) ? e : undefined)),
          };
        },
        queryEntities: async (req, opts) => {
          const all = await catalog.queryEntities(req, opts);
          return { ...all, items: all.items.filter(shown(opts)) };
        },
      }).factory
    : catalogServiceMock.factory({ entities: options.entities });
  const { server } = await startTestBackend({
    features: [
      devopsAppPlugin,
      catalogForCallers,
      ...(allows
        ? [
            mockServices.permissions.mock({
              authorize: async (requests, opts) =>
                requests.map(r => ({
                  result: allows(userOf(opts), r.permission.name)
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
                })),
            }).factory,
          ]
        : []),
      mockServices.rootConfig.factory({ data: options.config }),
      ...(options.features ?? []),
    ],
  });

  const as = (user?: string) => mockCredentials.user.header(user);
  const send = (method: 'get' | 'post', path: string, user?: string) =>
    request(server)
      [method](`/api/devops-app${path}`)
      .set('Authorization', as(user));
  return {
    server,
    as,
    request: send,
    get: (path, user) => send('get', path, user),
    post: (path, user, body = {}) => send('post', path, user).send(body),
    auditOf: async (environment, reader) =>
      (
        await send(
          'get',
          `/audit?environment=${encodeURIComponent(environment)}&limit=500`,
          reader,
        )
      ).body.items,
  };
}
