import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BaseLogger } from 'pino';
import { drawRegions } from '../model/annotate';
import type { ActiveModel } from '../model/ActiveModel';
import { detect } from '../model/detector';
import { noopObserver, PredictionObserver } from '../metrics/ServiceMetrics';
import type { PredictionStore, StoredImage } from '../storage/predictionStore';
import type { Tracing } from '../tracing/tracing';
import { PredictionError } from './errors';
import { ImageLimits, inspectImage } from './imageInspection';
import { isPredictionId, PredictionResult } from './result';

export interface PredictionServiceOptions {
  store: PredictionStore;
  limits: ImageLimits;
  /** The model in service; read per request, so a model switched to applies to the next one. */
  model: ActiveModel;
  tracing: Tracing;
  observer?: PredictionObserver;
}

type Log = Pick<BaseLogger, 'info' | 'warn' | 'debug'>;

function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

/**
 * The prediction pipeline, with no HTTP in it: inspect the upload, run the model, draw the regions,
 * store the treated image and the result. Nothing is stored unless every step before storage passed.
 */
export class PredictionService {
  private readonly observer: PredictionObserver;

  constructor(private readonly options: PredictionServiceOptions) {
    this.observer = options.observer ?? noopObserver;
  }

  async predict(
    image: Buffer | undefined,
    log: Log,
  ): Promise<PredictionResult> {
    const { store, limits, tracing } = this.options;
    const model = this.options.model.current;
    const modelVersion = model.version;
    const started = performance.now();

    const inspected = await inspectImage(image, limits);
    const inspectMs = elapsedMs(started);

    const inferenceStarted = performance.now();
    const detection = await tracing
      .span(
        'inference.model',
        { 'model.version': modelVersion, 'image.format': inspected.format },
        () =>
          detect(inspected.data, inspected, limits.maxPixels, model.parameters),
      )
      .catch(error => {
        throw new PredictionError(
          'corrupt-image',
          `the ${inspected.format.toUpperCase()} image cannot be decoded: ${
            (error as Error).message
          }`,
          { cause: error },
        );
      });
    const inferenceMs = elapsedMs(inferenceStarted);
    this.observer.observeInference(inferenceMs / 1000);

    const annotateStarted = performance.now();
    const treated = await tracing.span(
      'inference.annotate',
      { regions: detection.regions.length },
      () =>
        drawRegions(
          inspected.data,
          inspected.format,
          detection,
          limits.maxPixels,
        ),
    );
    const annotateMs = elapsedMs(annotateStarted);

    const id = randomUUID();
    const location = store.treatedImageLocation(id, treated.extension);
    const result: PredictionResult = {
      id,
      created_at: new Date().toISOString(),
      model_version: modelVersion,
      image: {
        format: inspected.format,
        width: inspected.width,
        height: inspected.height,
        bytes: inspected.bytes,
      },
      regions: detection.regions,
      treated_image: {
        container: location.container,
        blob_name: location.name,
        url: location.url,
        content_type: treated.contentType,
        bytes: treated.data.length,
      },
      timings_ms: {
        inspect: inspectMs,
        inference: inferenceMs,
        annotate: annotateMs,
        upload: 0,
        total: 0,
      },
    };

    const uploadStarted = performance.now();
    await tracing.span('inference.store', { 'blob.name': location.name }, () =>
      store.saveTreatedImage({
        location,
        data: treated.data,
        contentType: treated.contentType,
      }),
    );
    result.timings_ms.upload = elapsedMs(uploadStarted);
    this.observer.observeBlobUpload(result.timings_ms.upload / 1000);
    result.timings_ms.total = elapsedMs(started);
    try {
      await store.saveResult(result);
    } catch (error) {
      // Half a prediction is worse than none: the client retries and gets a fresh id.
      await store.deleteTreatedImage(location.name).catch(() => undefined);
      throw error;
    }

    log.info(
      {
        prediction_id: id,
        regions: detection.regions.length,
        top_score: detection.regions[0]?.score ?? 0,
        timings_ms: result.timings_ms,
      },
      'prediction stored',
    );
    return result;
  }

  private static checkId(id: string): void {
    if (!isPredictionId(id)) {
      throw new PredictionError(
        'invalid-prediction-id',
        `"${id}" is not a prediction id (a UUID)`,
      );
    }
  }

  async result(id: string): Promise<PredictionResult> {
    PredictionService.checkId(id);
    const result = await this.options.store.loadResult(id);
    if (!result) {
      throw new PredictionError(
        'prediction-not-found',
        `no prediction with id ${id}`,
      );
    }
    return result;
  }

  async treatedImage(id: string): Promise<StoredImage> {
    const result = await this.result(id);
    const image = await this.options.store.openImage(
      result.treated_image.blob_name,
    );
    if (!image) {
      throw new PredictionError(
        'prediction-not-found',
        `the treated image of prediction ${id} is gone`,
      );
    }
    return image;
  }
}
