import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  entityRefSchema,
  environmentNameSchema,
  parseQuery,
} from '../../request';
import { DoraService } from './DoraService';

const doraQuery = z
  .object({
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
    days: z
      .enum(['30', '90'], { error: 'must be 30 or 90 (days)' })
      .transform(d => Number(d) as 30 | 90),
  })
  .strict();

/** `GET /deployments/dora?entityRef=&environment=&days=30|90`: parses, then answers `DoraService`. */
export function createDoraRouter(options: {
  httpAuth: HttpAuthService;
  dora: DoraService;
}): express.Router {
  const router = Router();
  router.get('/deployments/dora', async (req, res) => {
    const query = parseQuery(doraQuery, req);
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    res.json(await options.dora.metrics({ ...query, credentials }));
  });
  return router;
}
