import { Writable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_MAX_IMAGE_BYTES,
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_MODEL_VERSION,
  RolloutColour,
} from '../config';
import { buildServer } from '../http/server';
import { Azurite, startAzurite } from '../local/azurite';
import { createLogger } from '../logging/logger';
import { ServiceMetrics } from '../metrics/ServiceMetrics';
import { ActiveModel, builtInModel } from '../model/ActiveModel';
import { startingModel } from '../model/startingModel';
import { BlobModelStore } from '../storage/BlobModelStore';
import { BlobPredictionStore } from '../storage/BlobPredictionStore';
import { createBlobServiceClient } from '../storage/blobServiceClient';
import type { Tracing } from '../tracing/tracing';

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & {
  msg?: string;
  request_id?: string;
};

export interface InProcessServiceOptions {
  maxImageBytes?: number;
  maxImagePixels?: number;
  /** The version asked for (MODEL_VERSION). Without modelContainer: the built-in model, under this name. */
  modelVersion?: string;
  /** Load modelVersion from this container at start, as the service does. */
  modelContainer?: string;
  /** How soon a version that is not there yet is looked for again (the service's default otherwise). */
  modelRetryMs?: number;
  /** Use this Azurite (left running on close) instead of starting one. */
  azurite?: Azurite;
  rolloutColour?: RolloutColour;
  metrics?: boolean;
  tracing?: Tracing;
  container?: string;
}

/** The service's HTTP server on a free port, in this process, against a real Azurite it started. */
export interface InProcessService {
  baseUrl: string;
  app: FastifyInstance;
  azurite: Azurite;
  blobs: BlobServiceClient;
  model: ActiveModel;
  metrics?: ServiceMetrics;
  container: string;
  /** Every log line written so far, parsed. */
  logs: LogLine[];
  /** Names of all blobs in the container. */
  blobNames(): Promise<string[]>;
  close(): Promise<void>;
}

const noTracing: Tracing = {
  enabled: false,
  span: (_name, _tags, work) => work(),
  logContext: () => undefined,
};

export async function startInProcessService(
  options: InProcessServiceOptions = {},
): Promise<InProcessService> {
  const azurite = options.azurite ?? (await startAzurite());
  const container = options.container ?? 'treated-images';
  const logs: LogLine[] = [];
  let pending = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        logs.push(JSON.parse(line));
      }
      done();
    },
  });
  const logger = createLogger(
    { level: 'info', service: 'inference-service' },
    sink,
  );
  const modelVersion = options.modelVersion ?? DEFAULT_MODEL_VERSION;
  const blobs = createBlobServiceClient({
    kind: 'connection-string',
    connectionString: azurite.connectionString,
  });
  const store = new BlobPredictionStore(blobs, container);
  const stopRetrying = new AbortController();
  const model = options.modelContainer
    ? await startingModel(
        { modelVersion, modelContainer: options.modelContainer },
        new BlobModelStore(blobs, options.modelContainer),
        logger,
        { retryMs: options.modelRetryMs, signal: stopRetrying.signal },
      )
    : new ActiveModel(modelVersion, builtInModel(modelVersion));
  const metrics =
    options.metrics === false
      ? undefined
      : new ServiceMetrics({
          version: model.current.version,
          colour: options.rolloutColour ?? 'blue',
        });
  model.onChange(served => metrics?.setModelVersion(served.version));
  const app = await buildServer({
    config: {
      maxImageBytes: options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES,
      maxImagePixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
    },
    logger,
    store,
    model,
    tracing: options.tracing ?? noTracing,
    metrics,
    readinessTimeoutMs: 1_500,
  });
  await store.checkReady(AbortSignal.timeout(5_000));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    baseUrl: address,
    app,
    azurite,
    blobs,
    model,
    metrics,
    container,
    logs,
    async blobNames() {
      const names: string[] = [];
      for await (const blob of blobs
        .getContainerClient(container)
        .listBlobsFlat()) {
        names.push(blob.name);
      }
      return names.sort();
    },
    async close() {
      stopRetrying.abort();
      await app.close();
      if (!options.azurite) {
        await azurite.stop();
      }
    },
  };
}
