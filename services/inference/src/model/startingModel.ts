import type { Logger } from 'pino';
import type { ServiceConfig } from '../config';
import { BlobModelStore, ModelStoreError } from '../storage/BlobModelStore';
import { ActiveModel, BUILT_IN_MODEL_VERSION } from './ActiveModel';

/** How often a replica that could not reach the models container at start tries again. */
const MODEL_RETRY_MS = 30_000;

/**
 * The model to start with: MODEL_VERSION's artifact when it loads, otherwise the built-in parameters,
 * said in the log and on /readyz. A refused artifact (bad JSON, wrong schema, bad checksum) is final for
 * this replica; storage that does not answer, or a version not trained yet, is tried again in the
 * background.
 */
export async function startingModel(
  config: Pick<ServiceConfig, 'modelVersion' | 'modelContainer'>,
  source: BlobModelStore,
  logger: Logger,
  retry: { retryMs?: number; signal?: AbortSignal } = {},
): Promise<ActiveModel> {
  const retryMs = retry.retryMs ?? MODEL_RETRY_MS;
  const model = new ActiveModel(config.modelVersion);
  if (config.modelVersion === BUILT_IN_MODEL_VERSION) {
    logger.info({ model: model.status() }, 'serving the built-in model');
    return model;
  }
  const attempt = async (): Promise<boolean> => {
    try {
      await model.load(config.modelVersion, source);
      logger.info({ model: model.status() }, 'model loaded');
      return true;
    } catch (error) {
      const again = error instanceof ModelStoreError;
      logger.error(
        { model: model.status(), retry_ms: again ? retryMs : undefined },
        again
          ? 'model not available: serving the built-in model until it is'
          : 'model artifact refused: serving the built-in model',
      );
      return !again;
    }
  };
  const retryLater = () => {
    if (retry.signal?.aborted) {
      return;
    }
    setTimeout(() => {
      if (!retry.signal?.aborted) {
        attempt().then(done => done || retryLater());
      }
    }, retryMs).unref();
  };
  if (!(await attempt())) {
    retryLater();
  }
  return model;
}
