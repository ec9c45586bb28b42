import {
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  DeploymentAction,
  DeploymentStatusResponse,
  validateImageTag,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  checkedString,
  entityRefSchema,
  environmentNameSchema,
  integerParam,
  loadEntityForCaller,
  parseBody,
  parseQuery,
} from '../request';
import { DeploymentService } from './DeploymentService';
import { authorizeActions } from './permissions';

export interface DeploymentsRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  environments: EnvironmentResolver;
  service: DeploymentService;
}

const targetSchema = z
  .object({
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
  })
  .strict();
const deploySchema = targetSchema
  .extend({ tag: checkedString(validateImageTag) })
  .strict();
const statusQuery = z.object({ entityRef: entityRefSchema }).strict();
const auditQuery = z
  .object({
    entityRef: entityRefSchema.optional(),
    environment: environmentNameSchema.optional(),
    limit: integerParam({ min: 1, max: 500 }).optional(),
  })
  .strict();

/**
 * Deploy, sync, promote, abort, status and audit routes. Order of checks on every action: input
 * grammar (400), entity exists (404), environment is one of the entity's environments in the catalog
 * and its annotations are usable (400 naming the annotation), permission (403, audited as denied), then
 * the action (audited with its result).
 */
export async function createDeploymentsRouter(
  options: DeploymentsRouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, environments, service } = options;
  const router = Router();
  router.use(express.json());

  async function target(
    req: Request,
    body: { entityRef: string; environment: string },
  ) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return {
      credentials,
      ...(await loadEntityForCaller(environments, {
        credentials,
        entityRef: body.entityRef,
        environment: body.environment,
      })),
    };
  }

  async function authorize(
    t: Awaited<ReturnType<typeof target>>,
    action: DeploymentAction,
    after?: string,
  ) {
    const decision = (
      await authorizeActions(
        permissions,
        t.credentials,
        t.entityRef,
        t.entity,
        t.environment.production,
        [action],
      )
    )[action];
    const actor = {
      userEntityRef: (t.credentials.principal as BackstageUserPrincipal)
        .userEntityRef,
    };
    if (!decision.allowed) {
      await service.denied(
        actor,
        t.entityRef,
        t.environment.name,
        action,
        decision.reason ?? 'denied',
        after,
      );
      throw new NotAllowedError(decision.reason);
    }
    return actor;
  }

  router.get('/deployments/status', async (req, res) => {
    const query = parseQuery(statusQuery, req);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const {
      entity,
      entityRef,
      environments: listed,
    } = await loadEntityForCaller(environments, {
      credentials,
      entityRef: query.entityRef,
    });
    const items = await Promise.all(
      listed.map(async environment => {
        const allowed = await authorizeActions(
          permissions,
          credentials,
          entityRef,
          entity,
          environment.production,
        );
        return service.status(entityRef, entity, environment, allowed);
      }),
    );
    const branch = service.gitopsBranch;
    const body: DeploymentStatusResponse = {
      entityRef,
      repository: branch
        ? { configured: true, branch }
        : {
            configured: false,
            message:
              'Set devopsApp.gitops.repository to deploy from the portal',
          },
      items,
    };
    res.json(body);
  });

  router.post('/deployments/preview', async (req, res) => {
    const body = parseBody(deploySchema, req);
    const t = await target(req, body);
    res.json(await service.preview(t.environment.name, body.tag));
  });

  router.post('/deployments', async (req, res) => {
    const body = parseBody(deploySchema, req);
    const t = await target(req, body);
    const actor = await authorize(t, 'deploy', body.tag);
    const result = await service.deploy(
      actor,
      t.entityRef,
      t.entity,
      t.environment,
      body.tag,
    );
    res.status(result.changed ? 201 : 200).json(result);
  });

  router.post('/deployments/sync', async (req, res) => {
    const t = await target(req, parseBody(targetSchema, req));
    const actor = await authorize(t, 'sync');
    res.json(await service.sync(actor, t.entityRef, t.entity, t.environment));
  });

  for (const action of ['promote', 'abort'] as const) {
    router.post(`/deployments/${action}`, async (req, res) => {
      const t = await target(req, parseBody(targetSchema, req));
      const actor = await authorize(t, action);
      res.json(
        await service.rollout(
          actor,
          t.entityRef,
          t.entity,
          t.environment,
          action,
        ),
      );
    });
  }

  router.get('/audit', async (req, res) => {
    const query = parseQuery(auditQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await service.auditLog(query) });
  });

  return router;
}
