import Fastify, {
  FastifyBaseLogger,
  FastifyInstance,
  LogController,
} from 'fastify';
import type { ServiceConfig } from '../config';
import { REQUEST_ID_HEADER, requestIdFor } from '../logging/logger';
import type { ServiceMetrics } from '../metrics/ServiceMetrics';
import type { ActiveModel } from '../model/ActiveModel';
import { PredictionService } from '../predictions/PredictionService';
import type { PredictionStore } from '../storage/predictionStore';
import type { Tracing } from '../tracing/tracing';
import { errorHandler, notFoundHandler } from './errors';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { predictionRoutes } from './routes/predictions';

export interface ServerDependencies {
  config: Pick<ServiceConfig, 'maxImageBytes' | 'maxImagePixels'>;
  /** The model the predictions use and /readyz reports. */
  model: ActiveModel;
  logger: FastifyBaseLogger;
  store: PredictionStore;
  tracing: Tracing;
  /** Absent when METRICS_ENABLED=false. */
  metrics?: ServiceMetrics;
  readinessTimeoutMs?: number;
}

/** Probes and scrapes every few seconds would drown the request log; their failures are still logged. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The HTTP server, wired but not listening: `app.listen()` is the caller's (main.ts, tests). */
export async function buildServer(
  deps: ServerDependencies,
): Promise<FastifyInstance> {
  const { config, logger, store, tracing, metrics, model } = deps;

  const app = Fastify({
    loggerInstance: logger,
    genReqId: requestIdFor,
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      disableRequestLogging: (req: { url?: string }) =>
        QUIET_PATHS.has((req.url ?? '').split('?')[0]),
    }),
    // Runs when fastify creates the request's logger, inside the request's span (dd-trace's http
    // instrumentation starts it first), so every line of the request carries its trace ids.
    childLoggerFactory: (parent, bindings, options) => {
      const dd = tracing.logContext();
      return parent.child(dd ? { ...bindings, dd } : bindings, options);
    },
    bodyLimit: config.maxImageBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  // Once closing, answer what is in flight and hang up, so kept-alive clients do not hold the
  // shutdown open until their idle timeout.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) {
      reply.header('connection', 'close');
    }
  });
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  }
  app.setErrorHandler(errorHandler(config.maxImageBytes));
  app.setNotFoundHandler(notFoundHandler);

  const predictions = new PredictionService({
    store,
    tracing,
    model,
    limits: {
      maxBytes: config.maxImageBytes,
      maxPixels: config.maxImagePixels,
    },
    observer: metrics,
  });
  await app.register(healthRoutes, {
    store,
    model,
    readinessTimeoutMs: deps.readinessTimeoutMs ?? 2_000,
  });
  if (metrics) {
    await app.register(metricsRoutes, { metrics });
  }
  await app.register(predictionRoutes, {
    predictions,
    metrics,
    maxImageBytes: config.maxImageBytes,
  });
  return app;
}
