import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { DriftResponse } from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  entityRefSchema,
  environmentNameSchema,
  parseBody,
  parseQuery,
} from '../request';
import { AuthorizedDriftService } from './AuthorizedDriftService';
import { environmentFilter } from './router';

const driftQuery = z
  .object({
    environment: environmentFilter,
    entityRef: entityRefSchema.optional(),
  })
  .strict();
const checkBody = z.object({ environment: environmentNameSchema }).strict();

/**
 * Routes of drift detection, mounted under /terraform: `GET /drift?environment=` (repeatable) or
 * `GET /drift?entityRef=` (the entity's environments), the latest result per environment and stack;
 * `POST /drift/checks {"environment"}`, a check queued at once (202). Authorization and audit are
 * `AuthorizedDriftService`'s.
 */
export function createDriftRouter(options: {
  httpAuth: HttpAuthService;
  drift: AuthorizedDriftService;
}): express.Router {
  const { httpAuth, drift } = options;
  const router = Router();

  router.get('/drift', async (req, res) => {
    const query = parseQuery(driftQuery, req);
    if ((query.environment === undefined) === (query.entityRef === undefined)) {
      throw new InputError(
        'environment: send either environment (repeatable) or entityRef',
      );
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const body: DriftResponse = {
      items: await drift.read(
        { environments: query.environment, entityRef: query.entityRef },
        { credentials },
      ),
    };
    res.json(body);
  });

  router.post('/drift/checks', async (req, res) => {
    const { environment } = parseBody(checkBody, req);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.status(202).json(await drift.checkNow(environment, { credentials }));
  });

  return router;
}
