import {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { EntityEnvironmentsResponse } from '@devops-app/plugin-devops-app-common';
import express from 'express';
import { z } from 'zod';
import Router from 'express-promise-router';
import { entityRefSchema, loadEntityForCaller, parseQuery } from './request';
import { encodedJsonResponses } from './request/encodedJson';
import { createObservabilityRouter } from './observability/router';
import {
  AuditStore,
  createDeploymentsRouter,
  gitopsRepositoryFromConfig,
} from './deployments';
import { createTerraformRouter, createTerraformRuns } from './terraform';
import { AuthorizedTerraformRunService } from './terraform/AuthorizedTerraformRunService';
import { createEnvironmentRemoval } from './terraform/environmentRemoval';
import { AuthorizedDriftService } from './terraform/AuthorizedDriftService';
import { readTerraformRunConfig } from './terraform/config';
import { createDriftRouter } from './terraform/driftRouter';
import { createDriftDetection } from './terraform/DriftTask';
import { tooManyRequestsHandler } from './upstreamErrors';

export interface RouterOptions {
  auth: AuthService;
  httpAuth: HttpAuthService;
  /** "The environments of this entity", for every route. */
  environments: EnvironmentResolver;
  config: RootConfigService;
  catalog: CatalogService;
  logger: LoggerService;
  database: DatabaseService;
  permissions: PermissionsService;
  /** Stops running terraform when the backend stops; tests may leave it out. */
  lifecycle?: LifecycleService;
  /** Runs the recovery of terraform runs whose instance died; tests may leave it out. */
  scheduler?: SchedulerService;
  /** Tells open Environments cards that an audit entry was written; tests may leave it out. */
  signals?: SignalsService;
}

const noQuery = z.object({}).strict();

const environmentsQuery = z
  .object({ entityRef: entityRefSchema.optional() })
  .strict();

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, environments } = options;
  const router = Router();
  router.use(express.json());
  // GET answers are serialised and gzipped once per distinct body (request/encodedJson).
  router.use(encodedJsonResponses());

  // No route is opened to unauthenticated callers: the backend's default auth policy answers 401
  // before a request reaches this router, and each route asks for the principal types it serves.
  router.get('/health', async (req, res) => {
    parseQuery(noQuery, req);
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  // The environments of an entity (the one resolver the frontend reads), or every environment in the
  // catalog without entityRef; only what the caller may read.
  router.get('/environments', async (req, res) => {
    const query = parseQuery(environmentsQuery, req);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (query.entityRef === undefined) {
      res.json({ items: await environments.all({ credentials }) });
      return;
    }
    const resolved = await loadEntityForCaller(environments, {
      credentials,
      entityRef: query.entityRef,
    });
    const body: EntityEnvironmentsResponse = {
      entityRef: resolved.entityRef,
      items: resolved.environments,
    };
    res.json(body);
  });

  // One GitOps repository for deploys and the runs' output commits: their writes share one queue.
  const gitops = gitopsRepositoryFromConfig(options.config, options.logger);
  router.use(await createObservabilityRouter(options));
  router.use(await createDeploymentsRouter({ ...options, gitops }));
  const db = await options.database.getClient();
  const audit = new AuditStore(db);
  const runs = await createTerraformRuns({ ...options, gitops });
  router.use(
    '/terraform',
    createTerraformRouter({
      httpAuth,
      runs: new AuthorizedTerraformRunService({ ...options, runs, audit }),
    }),
  );
  // Drift detection: scheduled plans of every applied environment, "Check now" (issue 13).
  const drift = await createDriftDetection({
    ...options,
    runConfig: readTerraformRunConfig(options.config),
    db,
    inputs: runs.inputs,
  });
  router.use(
    '/terraform',
    createDriftRouter({
      httpAuth,
      drift: new AuthorizedDriftService({ ...options, drift, audit }),
    }),
  );
  // Teardown and expiry: "Remove environment", Extend, the expiry task (issue 13).
  router.use(
    '/terraform',
    await createEnvironmentRemoval({ ...options, runs, audit, gitops }),
  );
  // An upstream's 429 (Datadog, Argo CD) -> 429 with Retry-After; other errors to Backstage's handler.
  router.use(tooManyRequestsHandler);

  return router;
}
