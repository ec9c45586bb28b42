import type { FastifyPluginAsync } from 'fastify';
import type { ServiceMetrics } from '../../metrics/ServiceMetrics';

/** `/metrics` in the Prometheus text format, scraped by the ServiceMonitor (or the local Prometheus). */
export const metricsRoutes: FastifyPluginAsync<{
  metrics: ServiceMetrics;
}> = async (app, options) => {
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.exposition();
    return reply.type(options.metrics.contentType).send(body);
  });
};
