import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  TERRAFORM_STACKS,
  terraformApplyPermission,
} from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  environmentNameProblem,
  environmentNameSchema,
  integerParam,
  parseBody,
  parseQuery,
} from '../request';
import { TerraformRunManager } from './TerraformRunManager';

const MAX_FILE_CHARACTERS = 65536;

const tfvars = z
  .object(
    Object.fromEntries(
      TERRAFORM_STACKS.map(s => [s, z.string().max(MAX_FILE_CHARACTERS)]),
    ) as Record<(typeof TERRAFORM_STACKS)[number], z.ZodString>,
  )
  .strict();

const startRunBody = z
  .object({
    environment: environmentNameSchema,
    mode: z.enum(['plan', 'apply']),
    // The scaffolder task that asks (a UUID); shown in the run's history, so no free text.
    taskId: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]{1,255}$/,
        'must be 1 to 255 letters, digits, ".", "_" or "-" (a scaffolder task id)',
      )
      .optional(),
    files: z
      .object({
        tfvars,
        backendHcl: z.string().max(MAX_FILE_CHARACTERS).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** At most this many `environment` values in one list request. */
const MAX_LIST_ENVIRONMENTS = 50;

/**
 * The `environment` query parameter of `GET /runs`: absent (every run), or one or more environment
 * names (`?environment=dev&environment=prod`), each checked against the environment grammar. A
 * problem names `environment` (not `environment[3]`): the caller sent one parameter, repeated.
 */
const environmentFilter = z.preprocess(
  value => (value === undefined || Array.isArray(value) ? value : [value]),
  z
    .array(z.unknown(), {
      error:
        'must be an environment name, repeated for several (environment=a&environment=b)',
    })
    .max(
      MAX_LIST_ENVIRONMENTS,
      `at most ${MAX_LIST_ENVIRONMENTS} environments per request`,
    )
    .superRefine((values, ctx) => {
      for (const value of values) {
        if (typeof value !== 'string') {
          ctx.addIssue({
            code: 'custom',
            message:
              'must be an environment name, repeated for several (environment=a&environment=b)',
          });
          return;
        }
        const problem = environmentNameProblem(value);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: problem });
          return;
        }
      }
    })
    .transform(values => [...new Set(values as string[])])
    .optional(),
);

const listRunsQuery = z.object({ environment: environmentFilter }).strict();
const logQuery = z.object({ after: integerParam().optional() }).strict();
const noQuery = z.object({}).strict();
const noBody = z.object({}).strict();

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
    const body = parseBody(startRunBody, req);
    const credentials = await authorizeApply(req);
    const { run } = await runs.startRun({
      ...body,
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(run);
  });

  router.get('/runs', async (req, res) => {
    const { environment: environments } = parseQuery(listRunsQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await runs.listRuns({ environments }) });
  });

  router.get('/runs/:id', async (req, res) => {
    parseQuery(noQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await runs.getRun(req.params.id));
  });

  router.get('/runs/:id/log', async (req, res) => {
    const { after } = parseQuery(logQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await runs.getRun(req.params.id);
    res.json({ items: await runs.readLog(req.params.id, { after }) });
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    await authorizeApply(req);
    res.json(await runs.cancelRun(req.params.id));
  });

  return router;
}
