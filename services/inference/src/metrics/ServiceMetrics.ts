import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import type { RolloutColour } from '../config';

/** How a POST /v1/predictions ended, as the predictions_total counter counts it. */
export type PredictionOutcome =
  | 'success'
  | 'rejected'
  | 'storage_unavailable'
  | 'error';

const OUTCOMES: PredictionOutcome[] = [
  'success',
  'rejected',
  'storage_unavailable',
  'error',
];

/** The timings the prediction pipeline reports, whether or not anything records them. */
export interface PredictionObserver {
  observeInference(seconds: number): void;
  observeBlobUpload(seconds: number): void;
}

export const noopObserver: PredictionObserver = {
  observeInference: () => undefined,
  observeBlobUpload: () => undefined,
};

/**
 * The service's Prometheus metrics, on a registry of its own (so two servers in one test process do
 * not share counters). Names and labels are the ones the portal's PromQL templates query; the
 * `service` and `environment` labels are added by the scrape configuration, not here.
 */
export class ServiceMetrics implements PredictionObserver {
  readonly registry = new Registry();

  private readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly inferenceDuration = new Histogram({
    name: 'inference_duration_seconds',
    help: 'Time the model takes on one image (decode and region search), in seconds',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly blobUploadDuration = new Histogram({
    name: 'blob_upload_duration_seconds',
    help: 'Time to store one prediction (treated image and result) in blob storage, in seconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly predictions = new Counter({
    name: 'predictions_total',
    help: 'Prediction requests by outcome: success, rejected (bad input), storage_unavailable, error',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly modelInfo = new Gauge({
    name: 'model_info',
    help: 'The model this replica serves and the blue/green colour of its rollout (always 1)',
    labelNames: ['version', 'colour'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly model: { version: string; colour: RolloutColour },
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.modelInfo.set({ version: model.version, colour: model.colour }, 1);
    // Every outcome exists from the start, so rate() and ratios work before the first failure.
    for (const outcome of OUTCOMES) {
      this.predictions.inc({ outcome }, 0);
    }
  }

  /** The model switched to: model_info keeps one series, the version served now. */
  setModelVersion(version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ version, colour: this.model.colour }, 1);
  }

  observeRequest(
    method: string,
    route: string,
    status: number,
    seconds: number,
  ): void {
    this.httpRequestDuration.observe(
      { method, route, status: String(status) },
      seconds,
    );
  }

  observeInference(seconds: number): void {
    this.inferenceDuration.observe(seconds);
  }

  observeBlobUpload(seconds: number): void {
    this.blobUploadDuration.observe(seconds);
  }

  countPrediction(outcome: PredictionOutcome): void {
    this.predictions.inc({ outcome });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Outcome of a POST /v1/predictions from its status code. */
export function outcomeOf(status: number): PredictionOutcome {
  if (status < 400) {
    return 'success';
  }
  if (status === 503) {
    return 'storage_unavailable';
  }
  return status < 500 ? 'rejected' : 'error';
}
