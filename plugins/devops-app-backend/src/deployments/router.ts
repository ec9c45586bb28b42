import {
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  DeploymentAction,
  DeploymentStatusResponse,
  validateEnvironmentName,
  validateImageTag,
} from '@devops-app/plugin-devops-app-common';
import {
  EnvironmentResolver,
  requireEnvironment,
} from '@devops-app/plugin-devops-app-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DeploymentService } from './DeploymentService';
import { authorizeActions } from './permissions';

export interface DeploymentsRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  environments: EnvironmentResolver;
  service: DeploymentService;
}

const targetSchema = z.object({
  entityRef: z.string().min(1).max(300),
  environment: z.string().max(200),
});
const deploySchema = targetSchema.extend({ tag: z.string().max(500) });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

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
    const envReason = validateEnvironmentName(body.environment);
    if (envReason) {
      throw new InputError(`environment ${envReason}`);
    }
    const resolved = await environments.resolve(body.entityRef, {
      credentials,
    });
    const environment = requireEnvironment(resolved, body.environment);
    return {
      credentials,
      environment,
      entity: resolved.entity,
      entityRef: resolved.entityRef,
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
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref =
      typeof req.query.entityRef === 'string' ? req.query.entityRef : '';
    if (!ref) {
      throw new InputError('entityRef: required');
    }
    const {
      entity,
      entityRef,
      environments: listed,
    } = await environments.resolve(ref, { credentials });
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
    const body = parseBody(deploySchema, req.body);
    const tagReason = validateImageTag(body.tag);
    if (tagReason) {
      throw new InputError(`tag ${tagReason}`);
    }
    const t = await target(req, body);
    res.json(await service.preview(t.environment.name, body.tag));
  });

  router.post('/deployments', async (req, res) => {
    const body = parseBody(deploySchema, req.body);
    const tagReason = validateImageTag(body.tag);
    if (tagReason) {
      throw new InputError(`tag ${tagReason}`);
    }
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
    const t = await target(req, parseBody(targetSchema, req.body));
    const actor = await authorize(t, 'sync');
    res.json(
      await service.sync(actor, t.entityRef, t.entity, t.environment),
    );
  });

  for (const action of ['promote', 'abort'] as const) {
    router.post(`/deployments/${action}`, async (req, res) => {
      const t = await target(req, parseBody(targetSchema, req.body));
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
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const query = z
      .object({
        entityRef: z.string().max(300).optional(),
        environment: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      })
      .safeParse(req.query);
    if (!query.success) {
      const issue = query.error.issues[0];
      throw new InputError(`${issue.path.join('.')}: ${issue.message}`);
    }
    let entityRef: string | undefined;
    try {
      entityRef = query.data.entityRef
        ? stringifyEntityRef(parseEntityRef(query.data.entityRef))
        : undefined;
    } catch {
      throw new InputError(
        'entityRef: not an entity reference (kind:namespace/name)',
      );
    }
    res.json({ items: await service.auditLog({ ...query.data, entityRef }) });
  });

  return router;
}
