import type { FastifyPluginAsync } from 'fastify';
import type { ActiveModel } from '../../model/ActiveModel';
import type { PredictionStore } from '../../storage/predictionStore';

export interface HealthRoutesOptions {
  store: PredictionStore;
  /** Reported as is: a replica serving another model than the one asked for says so here. */
  model: ActiveModel;
  /** How long readiness waits for blob storage before calling it unreachable. */
  readinessTimeoutMs: number;
}

/**
 * `/healthz`: the process answers (liveness). `/readyz`: blob storage answers too (readiness), with the
 * model served and, when it is not the version asked for, why (`model.problem`).
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (
  app,
  options,
) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await options.store.checkReady(
        AbortSignal.timeout(options.readinessTimeoutMs),
      );
      return { status: 'ready', model: options.model.status() };
    } catch (error) {
      const reason = (error as Error).message;
      request.log.warn({ reason }, 'not ready');
      return reply
        .code(503)
        .send({ status: 'not_ready', reason, model: options.model.status() });
    }
  });
};
