import type { FastifyPluginAsync } from 'fastify';
import type { PredictionStore } from '../../storage/predictionStore';

export interface HealthRoutesOptions {
  store: PredictionStore;
  /** How long readiness waits for blob storage before calling it unreachable. */
  readinessTimeoutMs: number;
}

/** `/healthz`: the process answers (liveness). `/readyz`: blob storage answers too (readiness). */
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
      return { status: 'ready' };
    } catch (error) {
      const reason = (error as Error).message;
      request.log.warn({ reason }, 'not ready');
      return reply.code(503).send({ status: 'not_ready', reason });
    }
  });
};
