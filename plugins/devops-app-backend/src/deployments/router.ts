import { HttpAuthService } from '@backstage/backend-plugin-api';
import { validateImageTag } from '@devops-app/plugin-devops-app-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  checkedString,
  entityRefSchema,
  environmentNameSchema,
  integerParam,
  parseBody,
  parseQuery,
} from '../request';
import { AuthorizedDeploymentService } from './AuthorizedDeploymentService';
import { PromotionService } from './promotion/PromotionService';
import { RollbackService } from './promotion/RollbackService';

export interface DeploymentsRouterOptions {
  httpAuth: HttpAuthService;
  deployments: AuthorizedDeploymentService;
  /** The pipeline and promotion routes. */
  promotions?: PromotionService;
  /** The rollback routes. */
  rollbacks?: RollbackService;
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
const promotionSchema = targetSchema
  .extend({ version: checkedString(validateImageTag) })
  .strict();
const auditQuery = z
  .object({
    entityRef: entityRefSchema.optional(),
    environment: environmentNameSchema.optional(),
    limit: integerParam({ min: 1, max: 500 }).optional(),
  })
  .strict();

/**
 * Deploy, sync, promote, abort, status and audit routes: each parses its input (400 naming the field),
 * takes the caller's credentials and answers what `AuthorizedDeploymentService` returns, which loads
 * the entity (404), checks the environment (400), authorizes (403, audited as denied) and audits the
 * action.
 */
export async function createDeploymentsRouter(
  options: DeploymentsRouterOptions,
): Promise<express.Router> {
  const { httpAuth, deployments, promotions, rollbacks } = options;
  const router = Router();
  router.use(express.json());

  const user = async (req: Request) => ({
    credentials: await httpAuth.credentials(req, { allow: ['user'] }),
  });

  router.get('/deployments/status', async (req, res) => {
    const query = parseQuery(statusQuery, req);
    res.json(
      await deployments.status({
        ...query,
        ...(await user(req)),
        // The caller's decisions are kept only for requests presenting this same credential.
        authorization: req.headers.authorization,
      }),
    );
  });

  router.get('/deployments/versions', async (req, res) => {
    const query = parseQuery(statusQuery, req);
    res.json(await deployments.versions({ ...query, ...(await user(req)) }));
  });

  router.post('/deployments/preview', async (req, res) => {
    const body = parseBody(deploySchema, req);
    res.json(await deployments.preview({ ...body, ...(await user(req)) }));
  });

  router.post('/deployments', async (req, res) => {
    const body = parseBody(deploySchema, req);
    const result = await deployments.deploy({ ...body, ...(await user(req)) });
    res.status(result.changed ? 201 : 200).json(result);
  });

  router.post('/deployments/sync', async (req, res) => {
    const body = parseBody(targetSchema, req);
    res.json(await deployments.sync({ ...body, ...(await user(req)) }));
  });

  for (const action of ['promote', 'abort'] as const) {
    router.post(`/deployments/${action}`, async (req, res) => {
      const body = parseBody(targetSchema, req);
      res.json(
        await deployments.rollout({ ...body, action, ...(await user(req)) }),
      );
    });
  }

  if (promotions) {
    router.get('/deployments/pipeline', async (req, res) => {
      const query = parseQuery(statusQuery, req);
      res.json(await promotions.pipeline({ ...query, ...(await user(req)) }));
    });

    router.post('/deployments/promotions', async (req, res) => {
      const body = parseBody(promotionSchema, req);
      const result = await promotions.promote({
        ...body,
        ...(await user(req)),
      });
      res.status(result.changed ? 201 : 200).json(result);
    });
  }

  if (rollbacks) {
    // What "Roll back" would do in each environment (the version, or why there is none).
    router.get('/deployments/rollback', async (req, res) => {
      const query = parseQuery(statusQuery, req);
      res.json(await rollbacks.offers({ ...query, ...(await user(req)) }));
    });

    // The version is the server's choice (the last verified one): the body names only the target.
    router.post('/deployments/rollback', async (req, res) => {
      const body = parseBody(targetSchema, req);
      const result = await rollbacks.rollback({
        ...body,
        ...(await user(req)),
      });
      res.status(result.changed ? 201 : 200).json(result);
    });
  }

  router.get('/audit', async (req, res) => {
    const query = parseQuery(auditQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: await deployments.auditLog(query) });
  });

  return router;
}
