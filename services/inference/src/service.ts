import type { Logger } from 'pino';
import type { ServiceConfig } from './config';
import { buildServer } from './http/server';
import { ServiceMetrics } from './metrics/ServiceMetrics';
import { startingModel } from './model/startingModel';
import { BlobModelStore } from './storage/BlobModelStore';
import { BlobPredictionStore } from './storage/BlobPredictionStore';
import { createBlobServiceClient } from './storage/blobServiceClient';
import { currentTracing } from './tracing/tracing';

/**
 * Starts the service and stops it gracefully on SIGTERM or SIGINT: the listener closes at once (new
 * connections are refused, requests on kept-alive connections get 503), requests in flight finish,
 * then the process exits 0. If they take longer than SHUTDOWN_TIMEOUT_MS it exits 1.
 */
export async function runService(
  config: ServiceConfig,
  logger: Logger,
): Promise<void> {
  const blobs = createBlobServiceClient(config.blob);
  const store = new BlobPredictionStore(blobs, config.blobContainer);
  const model = await startingModel(
    config,
    new BlobModelStore(blobs, config.modelContainer),
    logger,
  );
  const metrics = config.metricsEnabled
    ? new ServiceMetrics({
        version: model.current.version,
        colour: config.rolloutColour,
      })
    : undefined;
  model.onChange(served => metrics?.setModelVersion(served.version));
  const tracing = currentTracing();
  const app = await buildServer({
    config,
    logger,
    store,
    tracing,
    metrics,
    model,
  });

  // Create the container up front when we can; if storage is down, /readyz says so until it is back.
  await store.checkReady(AbortSignal.timeout(5_000)).catch(error => {
    logger.warn(
      { reason: (error as Error).message },
      'blob storage not reachable at start-up',
    );
  });

  const exit = (code: number) => {
    logger.flush();
    process.exit(code);
  };

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests in flight');
    const deadline = setTimeout(() => {
      logger.error(
        { timeout_ms: config.shutdownTimeoutMs },
        'requests still in flight at the shutdown deadline',
      );
      exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped');
        exit(0);
      },
      error => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  await app.listen({ host: config.host, port: config.port });
  logger.info(
    {
      model: model.status(),
      rollout_colour: config.rolloutColour,
      container: config.blobContainer,
      metrics: config.metricsEnabled,
      tracing: tracing.enabled,
    },
    'inference service listening',
  );
}
