import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  BREAK_GLASS_MIN_REASON,
  validateImageTag,
} from '@devops-app/plugin-devops-app-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  checkedString,
  entityRefSchema,
  environmentNameSchema,
  integerParam,
  parseBody,
  parseOrThrow,
  parseQuery,
} from '../../request';
import { AuthorizedProductionService } from './AuthorizedProductionService';

/**
 * Free text kept with a request or decision: lines and tabs are fine; other control characters (NUL,
 * which PostgreSQL's text refuses) and invisible format characters (a right-to-left override that
 * would make it read otherwise on the page) are not (as the terraform decision's comment).
 */
function freeText(min: number, what: string) {
  return (
    z
      .string()
      .trim()
      .min(min, `must say ${what} (${min} to 2000 characters)`)
      .max(2000, 'must be at most 2000 characters')
      // eslint-disable-next-line no-control-regex -- the control characters are what it refuses
      .regex(/^[^\p{Cf}\p{Zl}\p{Zp}\x00-\x08\x0b-\x1f\x7f]*$/u, {
        error: 'must not contain control or invisible characters',
      })
  );
}

const versionSchema = checkedString(validateImageTag);
const requestBody = z
  .object({
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
    version: versionSchema,
    comment: freeText(1, 'why').optional(),
  })
  .strict();
const listQuery = z.object({ entityRef: entityRefSchema }).strict();
const approveBody = z
  .object({ comment: freeText(1, 'why').optional() })
  .strict();
const rejectBody = z.object({ comment: freeText(1, 'why') }).strict();
const breakGlassBody = z
  .object({
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
    version: versionSchema,
    reason: freeText(BREAK_GLASS_MIN_REASON, 'why production cannot wait'),
  })
  .strict();
const noQuery = z.object({}).strict();
const idParam = integerParam({ min: 1 });

/**
 * The production request and break-glass routes (issue 14): each parses its input (400 naming the
 * field, unknown fields refused) and answers what `AuthorizedProductionService` returns, which loads
 * the entity (404), authorizes (403, audited as denied; the requester never approves) and audits.
 *
 * - `POST /deployments/promotions/requests` {entityRef, environment, version, comment?}: 201
 * - `GET /deployments/promotions/requests?entityRef=`
 * - `POST /deployments/promotions/requests/:id/approve` {comment?}: deploys it (200)
 * - `POST /deployments/promotions/requests/:id/reject` {comment}
 * - `POST /deployments/break-glass` {entityRef, environment, version, reason (20+ characters)}
 */
export function createProductionRouter(options: {
  httpAuth: HttpAuthService;
  production: AuthorizedProductionService;
}): express.Router {
  const { httpAuth, production } = options;
  const router = Router();
  router.use(express.json());
  const user = async (req: Request) => ({
    credentials: await httpAuth.credentials(req, { allow: ['user'] }),
  });
  const id = (req: Request): number =>
    parseOrThrow(idParam, req.params.id, 'id');

  router.post('/deployments/promotions/requests', async (req, res) => {
    parseQuery(noQuery, req);
    const body = parseBody(requestBody, req);
    res
      .status(201)
      .json(await production.request({ ...body, ...(await user(req)) }));
  });

  router.get('/deployments/promotions/requests', async (req, res) => {
    const query = parseQuery(listQuery, req);
    res.json(await production.list({ ...query, ...(await user(req)) }));
  });

  router.post(
    '/deployments/promotions/requests/:id/approve',
    async (req, res) => {
      parseQuery(noQuery, req);
      const requestId = id(req);
      const body = parseBody(approveBody, req);
      res.json(
        await production.approve({
          id: requestId,
          ...body,
          ...(await user(req)),
        }),
      );
    },
  );

  router.post(
    '/deployments/promotions/requests/:id/reject',
    async (req, res) => {
      parseQuery(noQuery, req);
      const requestId = id(req);
      const body = parseBody(rejectBody, req);
      res.json(
        await production.reject({
          id: requestId,
          ...body,
          ...(await user(req)),
        }),
      );
    },
  );

  router.post('/deployments/break-glass', async (req, res) => {
    parseQuery(noQuery, req);
    const body = parseBody(breakGlassBody, req);
    const result = await production.breakGlass({
      ...body,
      ...(await user(req)),
    });
    res.status(result.changed ? 201 : 200).json(result);
  });

  return router;
}
