import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  TERRAFORM_STACKS,
  terraformApplyPermission,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { TerraformRunManager } from './runManager';

const tfvars = z.object(
  Object.fromEntries(
    TERRAFORM_STACKS.map(s => [s, z.string().max(65536)]),
  ) as Record<(typeof TERRAFORM_STACKS)[number], z.ZodString>,
);

const startRunBody = z.object({
  environment: z.string(),
  mode: z.enum(['plan', 'apply']),
  taskId: z.string().max(255).optional(),
  files: z
    .object({ tfvars, backendHcl: z.string().max(65536).optional() })
    .optional(),
});

/** At most this many `environment` values in one list request. */
const MAX_LIST_ENVIRONMENTS = 50;

/**
 * The `environment` query parameter of `GET /runs`: absent (every run), or one or more environment
 * names (`?environment=dev&environment=prod`), each checked against the environment grammar.
 */
function parseEnvironmentFilter(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length > MAX_LIST_ENVIRONMENTS) {
    throw new InputError(
      `environment: at most ${MAX_LIST_ENVIRONMENTS} environments per request`,
    );
  }
  for (const name of values) {
    if (typeof name !== 'string') {
      throw new InputError(
        'environment: must be an environment name, repeated for several (environment=a&environment=b)',
      );
    }
    const reason = validateEnvironmentName(name);
    if (reason) {
      throw new InputError(`environment: "${name.slice(0, 64)}" ${reason}`);
    }
  }
  return [...new Set(values as string[])];
}

/**
 * Routes of the terraform run service, mounted under /terraform:
 * `POST /runs`, `GET /runs?environment=` (repeatable), `GET /runs/:id`, `GET /runs/:id/log?after=`,
 * `POST /runs/:id/cancel`. Starting and cancelling need `devops-app.terraform.apply`.
 */
export function createTerraformRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  runs: TerraformRunManager;
}): express.Router {
  const { httpAuth, permissions, runs } = options;
  const router = Router();

  const authorizeApply = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: terraformApplyPermission }],
      {
        credentials,
      },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'Not allowed to run terraform (devops-app.terraform.apply)',
      );
    }
    return credentials;
  };

  router.post('/runs', async (req, res) => {
    const credentials = await authorizeApply(req);
    const parsed = startRunBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `${issue.path.join('.') || 'body'}: ${issue.message}`,
      );
    }
    const { run } = await runs.startRun({
      ...parsed.data,
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(run);
  });

  router.get('/runs', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const environments = parseEnvironmentFilter(req.query.environment);
    res.json({ items: await runs.listRuns({ environments }) });
  });

  router.get('/runs/:id', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await runs.getRun(req.params.id));
  });

  router.get('/runs/:id/log', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const after =
      req.query.after === undefined ? undefined : Number(req.query.after);
    if (after !== undefined && !Number.isInteger(after)) {
      throw new InputError('after: must be an integer');
    }
    await runs.getRun(req.params.id);
    res.json({ items: await runs.readLog(req.params.id, { after }) });
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    await authorizeApply(req);
    res.json(await runs.cancelRun(req.params.id));
  });

  return router;
}
