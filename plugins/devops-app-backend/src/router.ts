import {
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { EnvironmentConfig } from '@devops-app/plugin-devops-app-node';
import express from 'express';
import Router from 'express-promise-router';
import { createObservabilityRouter } from './observability/router';
import { createDeploymentsRouter } from './deployments';
import { createTerraformRouter, createTerraformRuns } from './terraform';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  environments: EnvironmentConfig[];
  config: RootConfigService;
  catalog: CatalogService;
  logger: LoggerService;
  database: DatabaseService;
  permissions: PermissionsService;
  /** Stops running terraform when the backend stops; tests may leave it out. */
  lifecycle?: LifecycleService;
  /** Tells open Environments cards that an audit entry was written; tests may leave it out. */
  signals?: SignalsService;
}

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, environments } = options;
  const router = Router();
  router.use(express.json());

  // No route is opened to unauthenticated callers: the backend's default auth policy answers 401
  // before a request reaches this router, and each route asks for the principal types it serves.
  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: environments });
  });

  router.use(await createObservabilityRouter(options));
  router.use(await createDeploymentsRouter(options));
  router.use('/terraform', createTerraformRouter({ ...options, runs: await createTerraformRuns(options) }));

  return router;
}
