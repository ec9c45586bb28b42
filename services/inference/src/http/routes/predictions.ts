import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { outcomeOf, ServiceMetrics } from '../../metrics/ServiceMetrics';
import type { PredictionService } from '../../predictions/PredictionService';

export interface PredictionRoutesOptions {
  predictions: PredictionService;
  maxImageBytes: number;
  metrics?: ServiceMetrics;
}

const RAW_IMAGE_TYPES = ['image/png', 'image/jpeg'];

/** The upload, from a raw image body or the first file of a multipart form; undefined when absent. */
async function uploadedImage(
  request: FastifyRequest,
): Promise<Buffer | undefined> {
  if (request.isMultipart()) {
    const file = await request.file();
    return file ? file.toBuffer() : undefined;
  }
  return Buffer.isBuffer(request.body) ? request.body : undefined;
}

export const predictionRoutes: FastifyPluginAsync<
  PredictionRoutesOptions
> = async (app, options) => {
  const { predictions, metrics } = options;

  // Only images and multipart forms are bodies here; JSON, text and the rest get a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    RAW_IMAGE_TYPES,
    { parseAs: 'buffer', bodyLimit: options.maxImageBytes },
    (_request, body, done) => done(null, body),
  );
  await app.register(multipart, {
    limits: {
      fileSize: options.maxImageBytes,
      files: 1,
      fields: 10,
      parts: 20,
    },
  });

  app.post(
    '/v1/predictions',
    {
      onResponse: async (_request, reply) => {
        metrics?.countPrediction(outcomeOf(reply.statusCode));
      },
    },
    async (request, reply) => {
      const result = await predictions.predict(
        await uploadedImage(request),
        request.log,
      );
      return reply
        .code(201)
        .header('location', `/v1/predictions/${result.id}`)
        .send(result);
    },
  );

  app.get<{ Params: { id: string } }>('/v1/predictions/:id', async request =>
    predictions.result(request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/predictions/:id/image',
    async (request, reply) => {
      const image = await predictions.treatedImage(request.params.id);
      reply.type(image.contentType);
      if (image.contentLength !== undefined) {
        reply.header('content-length', image.contentLength);
      }
      if (image.etag) {
        reply.header('etag', image.etag);
      }
      return reply.send(image.stream);
    },
  );
};
