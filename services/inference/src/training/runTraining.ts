import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import {
  BlobConnection,
  blobConnection,
  ConfigError,
  containerName,
  DEFAULT_MODEL_CONTAINER,
  Env,
  logLevel,
  modelVersion,
} from '../config';
import { buildArtifact, ModelArtifact } from '../model/artifact';
import { BUILT_IN_MODEL_VERSION } from '../model/ActiveModel';
import { MODEL_REVISION } from '../model/detector';
import { DEFAULT_REGION_SEARCH } from '../model/regions';
import { BlobModelStore, PublishOutcome } from '../storage/BlobModelStore';
import { createBlobServiceClient } from '../storage/blobServiceClient';
import { evaluate, fitParameters, prepareSamples } from './fit';
import { labelledSamples } from './labelledSamples';

export interface TrainingConfig {
  blob: BlobConnection;
  modelContainer: string;
  /** The version to train and publish (MODEL_VERSION, the chart's `model.version`). */
  modelVersion: string;
  logLevel: string;
  epochs: number;
  samples: number;
  seed: number;
  /** Share of the samples held out to score the fit, 0 to 0.5. */
  validationShare: number;
}

export const TRAINING_USAGE = `Usage: node dist/train.js [options]   (environment: MODEL_VERSION, MODEL_CONTAINER,
       AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL, LOG_LEVEL)

  --epochs N             most passes of coordinate search (default 3)
  --samples N            labelled sample images to generate (default 120)
  --seed N               seed of the sample generator (default 1)
  --validation-share R   share of the samples held out for validation, 0..0.5 (default 0.25)
`;

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      `--${name} must be an integer from ${min} to ${max}, got "${raw}"`,
    );
  }
  return Number(raw);
}

/** The training configuration from the command line and the environment; ConfigError names what is wrong. */
export function loadTrainingConfig(argv: string[], env: Env): TrainingConfig {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string', default: '3' },
        samples: { type: 'string', default: '120' },
        seed: { type: 'string', default: '1' },
        'validation-share': { type: 'string', default: '0.25' },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const share = Number(values['validation-share']);
  if (!Number.isFinite(share) || share < 0 || share > 0.5) {
    throw new ConfigError(
      `--validation-share must be a number from 0 to 0.5, got "${values['validation-share']}"`,
    );
  }
  const version = modelVersion(env);
  if (!env.MODEL_VERSION?.trim() || version === BUILT_IN_MODEL_VERSION) {
    throw new ConfigError(
      `set MODEL_VERSION to the version to train (not the built-in "${BUILT_IN_MODEL_VERSION}")`,
    );
  }
  return {
    blob: blobConnection(env),
    modelContainer: containerName(
      env,
      'MODEL_CONTAINER',
      DEFAULT_MODEL_CONTAINER,
    ),
    modelVersion: version,
    logLevel: logLevel(env),
    epochs: integer('epochs', values.epochs!, 1, 100),
    samples: integer('samples', values.samples!, 4, 100_000),
    seed: integer('seed', values.seed!, 0, 2 ** 32 - 1),
    validationShare: share,
  };
}

export interface TrainingResult {
  artifact: ModelArtifact;
  outcome: PublishOutcome;
}

/** Who fitted the parameters: this program, the detector revision and the image (DD_VERSION, the image tag). */
function trainerName(env: Env): string {
  return `@devops-app/inference train.js, detector ${MODEL_REVISION}, image ${
    env.DD_VERSION?.trim() || 'unknown'
  }`;
}

/**
 * Generates the labelled samples, fits the parameters on the training share, scores them (and the
 * built-in ones) on the validation share, and publishes the artifact under its version.
 */
export async function runTraining(
  config: TrainingConfig,
  logger: Pick<Logger, 'info'>,
): Promise<TrainingResult> {
  const started = Date.now();
  const samples = await labelledSamples({
    count: config.samples,
    seed: config.seed,
  });
  const prepared = await prepareSamples(samples);
  const validationCount = Math.floor(prepared.length * config.validationShare);
  const train = prepared.slice(0, prepared.length - validationCount);
  const validation = prepared.slice(prepared.length - validationCount);
  logger.info(
    {
      model_version: config.modelVersion,
      train: train.length,
      validation: validation.length,
      seed: config.seed,
    },
    'training: samples ready',
  );

  const fit = fitParameters(train, config.epochs);
  const scoreOn = (parameters: typeof DEFAULT_REGION_SEARCH) =>
    validation.length > 0 ? evaluate(validation, parameters) : fit.score;
  const artifact = buildArtifact({
    version: config.modelVersion,
    parameters: fit.parameters,
    training: {
      trained_at: new Date().toISOString(),
      trainer: trainerName(process.env),
      epochs: fit.epochs,
      samples: {
        seed: config.seed,
        train: train.length,
        validation: validation.length,
        marks: samples.reduce((sum, s) => sum + s.marks.length, 0),
      },
      metrics: {
        train: fit.score,
        validation: scoreOn(fit.parameters),
        built_in_validation: scoreOn(DEFAULT_REGION_SEARCH),
      },
    },
  });

  const store = new BlobModelStore(
    createBlobServiceClient(config.blob),
    config.modelContainer,
  );
  const outcome = await store.publish(artifact);
  logger.info(
    {
      model_version: artifact.version,
      container: config.modelContainer,
      outcome,
      parameters: artifact.parameters,
      metrics: artifact.training.metrics,
      sha256: artifact.checksum.value,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    },
    outcome === 'published'
      ? 'training: model published'
      : 'training: this version is already published and valid; left as it is',
  );
  return { artifact, outcome };
}
