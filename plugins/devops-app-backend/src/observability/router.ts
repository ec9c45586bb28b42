import {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_PROMETHEUS_SELECTOR,
  METRICS_PANELS,
  METRICS_TIME_RANGES,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { readDatadogConfig, readPrometheusConfig } from './config';
import { checkEnvironment, loadReadableEntity } from './entityAccess';
import { MetricsService } from './prometheus/MetricsService';
import { PrometheusClient } from './prometheus/PrometheusClient';

export interface ObservabilityRouterOptions {
  config: RootConfigService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  logger: LoggerService;
}

/** Query parameters that would carry raw PromQL: refused with a message rather than ignored. */
const RAW_QUERY_PARAMS = ['query', 'promql', 'expr'];

const timeRangeParams = {
  range: z.enum(Object.keys(METRICS_TIME_RANGES) as [keyof typeof METRICS_TIME_RANGES]).optional(),
  start: z.coerce.number().int().nonnegative().optional(),
  end: z.coerce.number().int().positive().optional(),
};

const metricsQuery = z
  .object({
    entityRef: z.string().min(1),
    environment: z.string().min(1),
    panel: z.enum(METRICS_PANELS),
    split: z.enum(['colour']).optional(),
    ...timeRangeParams,
  })
  .strict();

/** Parses query parameters with zod; a failure is a 400 naming the field. */
export function parseQuery<T extends z.ZodTypeAny>(schema: T, req: express.Request): z.infer<T> {
  for (const name of RAW_QUERY_PARAMS) {
    if (name in req.query) {
      throw new InputError(
        `${name}: raw PromQL is not accepted; choose a panel (${METRICS_PANELS.join(', ')})`,
      );
    }
  }
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || 'query';
    throw new InputError(`${field}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Routes of the Metrics and Logs & Traces sections, under `/observability`. Every route needs Backstage
 * credentials and reads the entity on the caller's behalf before touching an upstream.
 */
export async function createObservabilityRouter(
  options: ObservabilityRouterOptions,
): Promise<express.Router> {
  const { config, httpAuth, catalog, logger } = options;
  const router = Router();

  const prometheusConfig = readPrometheusConfig(config);
  const metrics = prometheusConfig
    ? new MetricsService({
        client: new PrometheusClient(prometheusConfig),
        scrapeIntervalSeconds: prometheusConfig.scrapeIntervalSeconds,
      })
    : undefined;
  const datadogConfig = readDatadogConfig(config);
  logger.info(
    `devops-app observability: Prometheus ${prometheusConfig ? prometheusConfig.baseUrl : 'not configured'}, Datadog ${datadogConfig ? datadogConfig.site : 'not configured'}`,
  );

  router.get('/observability/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const query = parseQuery(metricsQuery, req);
    const entity = await loadReadableEntity(catalog, credentials, query.entityRef);
    checkEnvironment(entity, query.environment);
    if (!metrics) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'prometheus',
        message: 'Prometheus is not configured: set devopsApp.prometheus.baseUrl',
      };
      res.json(answer);
      return;
    }
    const selector = entity.annotations[ANNOTATION_PROMETHEUS_SELECTOR];
    if (!selector) {
      const answer: NotConfiguredResponse = {
        configured: false,
        upstream: 'prometheus',
        message: `${entity.ref} has no ${ANNOTATION_PROMETHEUS_SELECTOR} annotation`,
      };
      res.json(answer);
      return;
    }
    res.json(
      await metrics.getPanel({
        selector,
        environment: query.environment,
        panel: query.panel,
        range: query.range,
        start: query.start,
        end: query.end,
        splitByColour: query.split === 'colour',
      }),
    );
  });

  return router;
}
