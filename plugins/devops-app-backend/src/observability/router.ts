import {
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_DATADOG_SERVICE_NAME,
  ANNOTATION_PROMETHEUS_URL,
  ANNOTATION_PROMETHEUS_SELECTOR,
  LOG_LEVELS,
  LOGS_CURSOR_MAX_LENGTH,
  METRICS_PANELS,
  METRICS_TIME_RANGES,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  EntityEnvironmentForCaller,
  entityRefSchema,
  environmentNameSchema,
  loadEntityForCaller,
  parseQuery,
  refusedField,
} from '../request';
import { readDatadogConfig, readPrometheusConfig } from './config';
import { DatadogScope, DatadogService } from './datadog/DatadogService';
import { resolveDatadogWindow } from './datadog/timeWindow';
import { CallerEntityReads } from './CallerEntityReads';
import { sharedEntityReadsFromConfig } from '../request/SharedEntityReads';
import { MetricsService } from './prometheus/MetricsService';
import { PrometheusClient } from './prometheus/PrometheusClient';

export interface ObservabilityRouterOptions {
  config: RootConfigService;
  httpAuth: HttpAuthService;
  environments: EnvironmentResolver;
  logger: LoggerService;
  /** With both, entity reads are shared (`SharedEntityReads`, `devopsApp.readShareMs`). */
  auth?: AuthService;
  permissions?: PermissionsService;
}

/** Query parameters that would carry raw PromQL: refused with a message rather than ignored. */
const rawPromql = Object.fromEntries(
  ['query', 'promql', 'expr'].map(name => [
    name,
    refusedField(
      `raw PromQL is not accepted; choose a panel (${METRICS_PANELS.join(
        ', ',
      )})`,
    ),
  ]),
);

const rangeEnum = z.enum(
  Object.keys(METRICS_TIME_RANGES) as [keyof typeof METRICS_TIME_RANGES],
);

const timeRangeParams = {
  range: rangeEnum.optional(),
  start: z.coerce.number().int().nonnegative().optional(),
  end: z.coerce.number().int().positive().optional(),
};

const metricsQuery = z
  .object({
    ...rawPromql,
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
    panel: z.enum(METRICS_PANELS),
    split: z.enum(['colour']).optional(),
    ...timeRangeParams,
  })
  .strict();

/** A preset range (default 1h) or a custom from/to, checked by `resolveDatadogWindow`. */
const datadogScopeQuery = z
  .object({
    ...rawPromql,
    entityRef: entityRefSchema,
    environment: environmentNameSchema,
    range: rangeEnum.optional(),
    from: z.string().min(1).max(40).optional(),
    to: z.string().min(1).max(40).optional(),
  })
  .strict();

const logsQuery = datadogScopeQuery
  .extend({
    level: z.enum(LOG_LEVELS).optional(),
    text: z.string().max(200).optional(),
    // The service echoes a caller's X-Request-ID only when it is 1 to 128 safe characters.
    requestId: z
      .string()
      .regex(
        /^[A-Za-z0-9._:-]{1,128}$/,
        'must be 1 to 128 letters, digits, ".", "_", ":" or "-"',
      )
      .optional(),
    // Datadog's `meta.page.after`: opaque, passed through as it came; bounded and printable only.
    cursor: z
      .string()
      .min(1)
      .max(
        LOGS_CURSOR_MAX_LENGTH,
        `must be at most ${LOGS_CURSOR_MAX_LENGTH} characters`,
      )
      .regex(
        /^[\x21-\x7e]+$/,
        'must be the nextCursor of a previous page (printable characters, no spaces)',
      )
      .optional(),
  })
  .strict()
  .refine(q => !q.cursor || (q.from !== undefined && q.to !== undefined), {
    path: ['cursor'],
    message: 'send the from and to of the page the cursor came from',
  });

/**
 * Routes of the Metrics and Logs & Traces sections, under `/observability`. Every route needs Backstage
 * credentials and reads the entity on the caller's behalf before touching an upstream.
 */
export async function createObservabilityRouter(
  options: ObservabilityRouterOptions,
): Promise<express.Router> {
  const { config, httpAuth, environments, logger } = options;
  const router = Router();

  const prometheusConfig = readPrometheusConfig(config);
  // Environments that name their own Prometheus are read there even without a global querier.
  const metrics = new MetricsService({
    client: prometheusConfig
      ? new PrometheusClient(prometheusConfig)
      : undefined,
    scrapeIntervalSeconds: prometheusConfig?.scrapeIntervalSeconds ?? 15,
    timeoutMs: prometheusConfig?.timeoutMs,
  });
  const datadogConfig = readDatadogConfig(config);
  logger.info(
    `devops-app observability: Prometheus ${
      prometheusConfig ? prometheusConfig.baseUrl : 'not configured'
    }, Datadog ${datadogConfig ? datadogConfig.site : 'not configured'}`,
  );

  const entityReads = new CallerEntityReads(environments, {
    windowMs: 2000,
    maxEntries: 5000,
    shared: sharedEntityReadsFromConfig(config, {
      resolver: environments,
      auth: options.auth,
      permissions: options.permissions,
    }),
  });

  router.get('/observability/metrics', async (req, res) => {
    const query = parseQuery(metricsQuery, req);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // One read per caller and entity in a short window: a viewer's panels arrive together.
    const { entity, entityRef, environment } = await entityReads.load({
      credentials,
      authorization: req.headers.authorization,
      entityRef: query.entityRef,
      environment: query.environment,
      blocking: [ANNOTATION_PROMETHEUS_URL],
    });
    if (!metrics.reaches(environment)) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'prometheus',
        message: `Prometheus is not configured for ${environment.name}: set ${ANNOTATION_PROMETHEUS_URL} on ${environment.entityRef} or devopsApp.prometheus.baseUrl (the global querier)`,
      };
      res.json(answer);
      return;
    }
    const selector =
      entity.metadata.annotations?.[ANNOTATION_PROMETHEUS_SELECTOR];
    if (!selector) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'prometheus',
        message: `${entityRef} has no ${ANNOTATION_PROMETHEUS_SELECTOR} annotation`,
      };
      res.json(answer);
      return;
    }
    res.json(
      await metrics.getPanel({
        selector,
        environment: query.environment,
        prometheusUrl: environment.prometheusUrl,
        panel: query.panel,
        range: query.range,
        start: query.start,
        end: query.end,
        splitByColour: query.split === 'colour',
      }),
    );
  });

  const datadog = datadogConfig ? new DatadogService(datadogConfig) : undefined;

  /** The Datadog scope of a request, or why Datadog cannot answer for this entity. */
  function datadogScope(
    { entity, entityRef }: EntityEnvironmentForCaller,
    environment: string,
    window: { fromMs: number; toMs: number },
  ) {
    if (!datadog) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'datadog',
        message:
          'Datadog is not configured: set devopsApp.datadog.site, apiKey and appKey (DD_SITE, DD_API_KEY, DD_APP_KEY)',
      };
      return { answer };
    }
    const service =
      entity.metadata.annotations?.[ANNOTATION_DATADOG_SERVICE_NAME];
    if (!service) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'datadog',
        message: `${entityRef} has no ${ANNOTATION_DATADOG_SERVICE_NAME} annotation`,
      };
      return { answer };
    }
    const scope: DatadogScope = { service, environment, ...window };
    return { datadog, scope };
  }

  /**
   * A Datadog route: credentials, input, the entity read on the caller's behalf, its environment, then
   * either "not configured" or the answer of `answer`.
   */
  function datadogRoute<Q extends z.infer<typeof datadogScopeQuery>>(
    path: string,
    schema: z.ZodType<Q>,
    answer: (
      service: DatadogService,
      scope: DatadogScope,
      query: Q,
    ) => Promise<unknown>,
  ) {
    router.get(path, async (req, res) => {
      const query: Q = parseQuery(schema, req);
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const window = resolveDatadogWindow(query, Date.now());
      const loaded = await loadEntityForCaller(environments, {
        credentials,
        entityRef: query.entityRef,
        environment: query.environment,
        blocking: [],
      });
      const target = datadogScope(loaded, query.environment, window);
      res.json(
        target.datadog
          ? await answer(target.datadog, target.scope, query)
          : target.answer,
      );
    });
  }

  datadogRoute('/observability/logs', logsQuery, (service, scope, query) =>
    service.searchLogs({
      ...scope,
      level: query.level,
      text: query.text,
      requestId: query.requestId,
      cursor: query.cursor,
    }),
  );
  datadogRoute('/observability/traces', datadogScopeQuery, (service, scope) =>
    service.traceSummary(scope),
  );
  datadogRoute('/observability/monitors', datadogScopeQuery, (service, scope) =>
    service.monitors(scope),
  );

  return router;
}
