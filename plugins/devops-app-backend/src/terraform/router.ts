import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  TERRAFORM_RUN_MODES,
  TERRAFORM_STACKS,
} from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  environmentNameProblem,
  environmentNameSchema,
  integerParam,
  parseBody,
  parseOrThrow,
  parseQuery,
  refusedField,
} from '../request';
import { AuthorizedTerraformRunService } from './AuthorizedTerraformRunService';

/** What a caller once sent as the run's inputs: refused with what to send instead. */
const SERVER_SIDE_INPUT =
  "is not accepted: a run's files come from the GitOps repository at the commit the server resolves (send `commit`), and its backend configuration and state location from the environment";

const startRunBody = z
  .object({
    environment: environmentNameSchema,
    mode: z
      .enum(TERRAFORM_RUN_MODES as [string, ...string[]])
      .transform(mode => mode as (typeof TERRAFORM_RUN_MODES)[number]),
    // The scaffolder task that asks (a UUID); shown in the run's history, so no free text.
    taskId: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]{1,255}$/,
        'must be 1 to 255 letters, digits, ".", "_" or "-" (a scaffolder task id)',
      )
      .optional(),
    // A commit of the GitOps branch holding the environment's files (the template's); the server
    // checks it. The files and the state location are never taken from the request.
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id')
      .optional(),
    files: refusedField(SERVER_SIDE_INPUT),
    tfvars: refusedField(SERVER_SIDE_INPUT),
    backendHcl: refusedField(SERVER_SIDE_INPUT),
  })
  .strict();

/** At most this many `environment` values in one list request. */
const MAX_LIST_ENVIRONMENTS = 50;

/**
 * The `environment` query parameter of `GET /runs`: absent (every run), or one or more environment
 * names (`?environment=dev&environment=prod`), each checked against the environment grammar. A
 * problem names `environment` (not `environment[3]`): the caller sent one parameter, repeated.
 */
export const environmentFilter = z.preprocess(
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
/** The approver's or rejecter's comment: kept on the run and shown with the decision. */
const decisionBody = z
  .object({
    comment: z
      .string()
      .trim()
      .min(1, 'must say why (1 to 2000 characters)')
      .max(2000, 'must be at most 2000 characters')
      // Lines and tabs are fine in a comment; other control characters (NUL, which PostgreSQL's text
      // refuses) and invisible format characters (a right-to-left override that would make the
      // comment read otherwise on the run page) are not.
      // eslint-disable-next-line no-control-regex -- the control characters are what it refuses
      .regex(/^[^\p{Cf}\p{Zl}\p{Zp}\x00-\x08\x0b-\x1f\x7f]*$/u, {
        error: 'must not contain control or invisible characters',
      }),
  })
  .strict();
const stackParam = z.enum(TERRAFORM_STACKS);

/**
 * Routes of the terraform run service, mounted under /terraform: `POST /runs`,
 * `GET /runs?environment=` (repeatable), `GET /runs/:id`, `GET /runs/:id/log?after=`,
 * `POST /runs/:id/cancel`, `POST /runs/:id/approve`. Each parses its input (400 naming the field) and
 * answers; who may do what, and its audit, is `AuthorizedTerraformRunService`'s.
 */
export function createTerraformRouter(options: {
  httpAuth: HttpAuthService;
  runs: AuthorizedTerraformRunService;
}): express.Router {
  const { httpAuth, runs } = options;
  const router = Router();
  const user = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  const reader = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.post('/runs', async (req, res) => {
    const body = parseBody(startRunBody, req);
    const credentials = await user(req);
    const { files, tfvars, backendHcl, ...request } = body;
    res.status(201).json(await runs.startRun(request, { credentials }));
  });

  router.get('/runs', async (req, res) => {
    const { environment: environments } = parseQuery(listRunsQuery, req);
    const credentials = await reader(req);
    res.json({ items: await runs.listRuns({ environments }, { credentials }) });
  });

  router.get('/runs/:id', async (req, res) => {
    parseQuery(noQuery, req);
    const credentials = await reader(req);
    res.json(await runs.getRun(req.params.id, { credentials }));
  });

  router.get('/runs/:id/log', async (req, res) => {
    const { after } = parseQuery(logQuery, req);
    const credentials = await reader(req);
    res.json({
      items: await runs.readLog(req.params.id, { credentials, after }),
    });
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    const credentials = await user(req);
    res.json(await runs.cancelRun(req.params.id, { credentials }));
  });

  for (const [path, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    router.post(`/runs/:id/${path}`, async (req, res) => {
      parseQuery(noQuery, req);
      const { comment } = parseBody(decisionBody, req);
      const credentials = await user(req);
      res.json(
        await runs.decideRun(req.params.id, decision, comment, {
          credentials,
        }),
      );
    });
  }

  router.get('/runs/:id/plans/:stack', async (req, res) => {
    parseQuery(noQuery, req);
    const stack = parseOrThrow(stackParam, req.params.stack, 'stack');
    const credentials = await reader(req);
    res.json(await runs.readPlanText(req.params.id, stack, { credentials }));
  });

  return router;
}
