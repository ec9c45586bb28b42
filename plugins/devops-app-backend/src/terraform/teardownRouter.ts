import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  EXPIRY_DURATIONS,
  ExpiryDuration,
} from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { environmentNameProblem, parseBody, parseQuery } from '../request';
import { AuthorizedTerraformRunService } from './AuthorizedTerraformRunService';

const noQuery = z.object({}).strict();
const removeBody = z.object({ confirm: z.string() }).strict();
const extendBody = z
  .object({
    duration: z
      .enum(Object.keys(EXPIRY_DURATIONS) as [string, ...string[]])
      .transform(d => d as ExpiryDuration),
  })
  .strict();

function environmentParam(req: express.Request): string {
  const { environment } = req.params;
  const problem = environmentNameProblem(environment);
  if (problem) throw new InputError(`environment: ${problem}`);
  return environment;
}

/**
 * Routes of an environment's teardown and expiry, mounted under /terraform:
 * `POST /environments/:environment/remove {confirm}` (the environment's name typed again; answers
 * 202 with the queued destroy run) and `POST /environments/:environment/extend {duration}`.
 * Authorization and audit are `AuthorizedTerraformRunService`'s.
 */
export function createTeardownRouter(options: {
  httpAuth: HttpAuthService;
  runs: AuthorizedTerraformRunService;
}): express.Router {
  const { httpAuth, runs } = options;
  const router = Router();

  router.post('/environments/:environment/remove', async (req, res) => {
    parseQuery(noQuery, req);
    const environment = environmentParam(req);
    const { confirm } = parseBody(removeBody, req);
    if (confirm !== environment) {
      throw new InputError(
        `confirm: must be the environment's name, "${environment}", typed again`,
      );
    }
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res
      .status(202)
      .json(await runs.removeEnvironment(environment, { credentials }));
  });

  router.post('/environments/:environment/extend', async (req, res) => {
    parseQuery(noQuery, req);
    const environment = environmentParam(req);
    const { duration } = parseBody(extendBody, req);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await runs.extendExpiry(environment, duration, { credentials }));
  });

  return router;
}
