import {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { ArgoCdService } from './ArgoCdService';
import { AuditStore } from './AuditStore';
import { AuthorizedDeploymentService } from './AuthorizedDeploymentService';
import { DeploymentService } from './DeploymentService';
import { GitOpsRepository } from './GitOpsRepository';
import { GithubPullRequests } from './GithubPullRequests';
import { ImageRegistry } from './registry';
import { sharedEntityReadsFromConfig } from '../request/SharedEntityReads';
import { readPrometheusConfig } from '../observability/config';
import { PrometheusClient } from '../observability/prometheus/PrometheusClient';
import { readPromotionConfig } from './promotion/config';
import { PromotionService } from './promotion/PromotionService';
import { VerificationService } from './promotion/VerificationService';
import { RollbackService } from './promotion/RollbackService';
import { AuthorizedProductionService } from './promotion/AuthorizedProductionService';
import {
  ProductionRequestStore,
  readRequestMaxAgeSeconds,
} from './promotion/ProductionRequestStore';
import { createProductionRouter } from './promotion/productionRouter';
import { freezeMessage, freezeNotice } from './promotion/freezes';
import { createDeploymentsRouter as createRouter } from './router';
import { DoraService } from './dora/DoraService';
import { createDoraRouter } from './dora/router';

export { ArgoCdClient } from './ArgoCdClient';
export { ArgoCdService } from './ArgoCdService';
export { AuditStore } from './AuditStore';
export { AuthorizedDeploymentService } from './AuthorizedDeploymentService';
export { DeploymentService } from './DeploymentService';
export { GitOpsRepository } from './GitOpsRepository';
export { PromotionService } from './promotion/PromotionService';

/** The repository of `devopsApp.gitops`, or undefined when none is configured. */
export function gitopsRepositoryFromConfig(
  config: RootConfigService,
  logger: LoggerService,
): GitOpsRepository | undefined {
  const gitopsConfig = config.getOptionalConfig('devopsApp.gitops');
  return gitopsConfig
    ? new GitOpsRepository({
        repository: gitopsConfig.getString('repository'),
        branch: gitopsConfig.getOptionalString('branch') ?? 'main',
        snapshotRefreshMs: gitopsConfig.getOptionalNumber('snapshotRefreshMs'),
        logger,
        pullRequests: GithubPullRequests.fromConfig(config),
      })
    : undefined;
}

/**
 * Builds the deployments feature from the plugin's services and configuration and returns its
 * router (deploy, sync, promote, abort, status, audit). The database must be migrated already.
 */
export async function createDeploymentsRouter(options: {
  config: RootConfigService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  environments: EnvironmentResolver;
  /** The GitOps repository, shared with the terraform runs' output commits (one write queue). */
  gitops?: GitOpsRepository;
  /** Announces audit entries to open Environments cards; without it the cards only poll. */
  signals?: SignalsService;
  fetch?: typeof fetch;
  /** With it, status reads are shared (`SharedEntityReads`, `devopsApp.readShareMs`). */
  auth?: AuthService;
}) {
  const gitops =
    options.gitops ??
    gitopsRepositoryFromConfig(options.config, options.logger);
  const argocd = ArgoCdService.fromConfig(options.config, {
    fetch: options.fetch,
  });
  if (!argocd.configured) {
    options.logger.info(
      'devops-app: no Argo CD instance configured (devopsApp.argocd.instances)',
    );
  }
  const db = await options.database.getClient();
  const audit = new AuditStore(db);
  const registry = ImageRegistry.fromConfig(options.config, {
    fetch: options.fetch,
  });
  const service = new DeploymentService({ gitops, argocd, audit, registry });
  const deployments = new AuthorizedDeploymentService({
    service,
    environments: options.environments,
    permissions: options.permissions,
    audit,
    logger: options.logger,
    signals: options.signals,
    freezes: readPromotionConfig(options.config).freezes,
    reads: sharedEntityReadsFromConfig(options.config, {
      resolver: options.environments,
      auth: options.auth,
      permissions: options.permissions,
    }),
  });
  const promotionConfig = readPromotionConfig(options.config);
  const prometheus = readPrometheusConfig(options.config);
  const promotions = new PromotionService({
    deployments,
    environments: options.environments,
    audit,
    config: promotionConfig,
    verification: new VerificationService({
      thresholds: promotionConfig.verification,
      client: prometheus
        ? new PrometheusClient({
            baseUrl: prometheus.baseUrl,
            timeoutMs: prometheus.timeoutMs,
          })
        : undefined,
      timeoutMs: prometheus?.timeoutMs,
      analysis: argocd,
    }),
  });
  const router = await createRouter({
    httpAuth: options.httpAuth,
    deployments,
    promotions,
    rollbacks: new RollbackService({
      deployments,
      environments: options.environments,
      audit,
      config: promotionConfig,
      // Its own instance: a rollback reads versions over windows in the past (no AnalysisRun).
      verification: new VerificationService({
        thresholds: promotionConfig.verification,
        client: prometheus
          ? new PrometheusClient({
              baseUrl: prometheus.baseUrl,
              timeoutMs: prometheus.timeoutMs,
            })
          : undefined,
        timeoutMs: prometheus?.timeoutMs,
        analysis: argocd,
      }),
    }),
  });
  router.use(
    createProductionRouter({
      httpAuth: options.httpAuth,
      production: new AuthorizedProductionService({
        service,
        promotions,
        store: new ProductionRequestStore(db, {
          maxAgeSeconds: readRequestMaxAgeSeconds(options.config),
        }),
        environments: options.environments,
        permissions: options.permissions,
        audit,
        logger: options.logger,
        signals: options.signals,
        digestOf: registry
          ? (entity, version) =>
              registry.resolve(entity, version).then(image => image.digest)
          : undefined,
        // An approval executes only outside a freeze window; break glass skips them.
        freeze: environment => {
          const freeze = deployments.freezeOf(environment);
          return freeze
            ? `Refused: ${freezeMessage(environment, freezeNotice(freeze))}`
            : undefined;
        },
      }),
    }),
  );
  router.use(
    createDoraRouter({
      httpAuth: options.httpAuth,
      dora: new DoraService({ environments: options.environments, audit }),
    }),
  );
  return router;
}
