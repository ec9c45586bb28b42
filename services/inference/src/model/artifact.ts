import { createHash } from 'node:crypto';
import { MODEL_NAME, MODEL_REVISION } from './detector';
import type { RegionSearchOptions } from './regions';

/**
 * The trained model as the training Job writes it to the `models` container and the service reads it
 * at start: the edge-anomaly parameters, what they were fitted on, and a SHA-256 of everything else, so
 * a truncated, edited or half-written blob is refused instead of served.
 */
export const MODEL_ARTIFACT_SCHEMA = 'devops-app/edge-anomaly-model/v1';

/** A model version names a blob (`edge-anomaly/<version>/model.json`) and a Prometheus label value. */
export const MODEL_VERSION_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

/** Precision, recall and F1 of the regions found against the labelled marks (IoU >= 0.5 is a hit). */
export interface DetectionScore {
  precision: number;
  recall: number;
  f1: number;
}

export interface TrainingMetadata {
  trained_at: string;
  /** The program and package version that fitted the parameters. */
  trainer: string;
  /** Passes of coordinate search over the parameters. */
  epochs: number;
  samples: {
    /** Seed of the sample generator: the same seed makes the same images and labels. */
    seed: number;
    train: number;
    validation: number;
    /** Labelled marks over both sets. */
    marks: number;
  };
  /** Scores of the fitted parameters, and of the built-in ones on the same validation images. */
  metrics: {
    train: DetectionScore;
    validation: DetectionScore;
    built_in_validation: DetectionScore;
  };
}

export interface ModelArtifact {
  schema: typeof MODEL_ARTIFACT_SCHEMA;
  model: typeof MODEL_NAME;
  version: string;
  /** The detector revision the parameters were fitted for: results only carry over within one. */
  revision: string;
  parameters: RegionSearchOptions;
  training: TrainingMetadata;
  checksum: { algorithm: 'sha256'; value: string };
}

/** Why an artifact was refused; the message names the field. */
export class ModelArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelArtifactError';
  }
}

/** JSON with object keys sorted at every level: the bytes the checksum is taken over. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => Number(a > b) - Number(a < b));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function checksumOf(artifact: Omit<ModelArtifact, 'checksum'>): string {
  return createHash('sha256').update(canonicalJson(artifact)).digest('hex');
}

/** The artifact for fitted parameters, with its checksum. */
export function buildArtifact(fields: {
  version: string;
  parameters: RegionSearchOptions;
  training: TrainingMetadata;
}): ModelArtifact {
  const body = {
    schema: MODEL_ARTIFACT_SCHEMA,
    model: MODEL_NAME,
    version: fields.version,
    revision: MODEL_REVISION,
    parameters: fields.parameters,
    training: fields.training,
  } as const;
  const artifact = {
    ...body,
    checksum: { algorithm: 'sha256' as const, value: checksumOf(body) },
  };
  // What is written is what would be read back: never publish something the service would refuse.
  return parseArtifact(JSON.stringify(artifact), fields.version);
}

type Json = Record<string, unknown>;

/** A small strict reader: every field present, of its type and range, and no field it does not know. */
class Reader {
  constructor(private readonly path: string, private readonly value: Json) {}

  static object(path: string, value: unknown, keys: string[]): Reader {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new ModelArtifactError(
        `${path || 'the artifact'} is not an object`,
      );
    }
    const unknown = Object.keys(value).filter(k => !keys.includes(k));
    if (unknown.length > 0) {
      throw new ModelArtifactError(
        `${path ? `${path}.` : ''}${unknown[0]} is not a field of the artifact`,
      );
    }
    const missing = keys.filter(k => !(k in value));
    if (missing.length > 0) {
      throw new ModelArtifactError(
        `${path ? `${path}.` : ''}${missing[0]} is missing`,
      );
    }
    return new Reader(path, value as Json);
  }

  private name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  child(key: string, keys: string[]): Reader {
    return Reader.object(this.name(key), this.value[key], keys);
  }

  string(key: string, pattern?: RegExp): string {
    const value = this.value[key];
    if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
      throw new ModelArtifactError(
        `${this.name(key)} must be a string${
          pattern ? ` matching ${pattern}` : ''
        }, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  number(key: string, min: number, max: number, integer = false): number {
    const value = this.value[key];
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      throw new ModelArtifactError(
        `${this.name(key)} must be ${
          integer ? 'an integer' : 'a number'
        } from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }
}

const SCORE_KEYS = ['precision', 'recall', 'f1'];

function score(reader: Reader): DetectionScore {
  return {
    precision: reader.number('precision', 0, 1),
    recall: reader.number('recall', 0, 1),
    f1: reader.number('f1', 0, 1),
  };
}

function readArtifact(root: Reader): Omit<ModelArtifact, 'checksum'> {
  const schema = root.string('schema');
  if (schema !== MODEL_ARTIFACT_SCHEMA) {
    throw new ModelArtifactError(
      `schema is "${schema}"; this service reads "${MODEL_ARTIFACT_SCHEMA}"`,
    );
  }
  const model = root.string('model');
  if (model !== MODEL_NAME) {
    throw new ModelArtifactError(
      `model is "${model}"; this service runs "${MODEL_NAME}"`,
    );
  }
  const revision = root.string('revision');
  if (revision !== MODEL_REVISION) {
    throw new ModelArtifactError(
      `revision is "${revision}"; the parameters were fitted for another detector than this one (${MODEL_REVISION})`,
    );
  }
  const p = root.child('parameters', [
    'minEdgeStrength',
    'edgeSigmas',
    'joinRadius',
    'minEdgePixels',
    'minScore',
    'maxRegions',
  ]);
  const t = root.child('training', [
    'trained_at',
    'trainer',
    'epochs',
    'samples',
    'metrics',
  ]);
  const samples = t.child('samples', ['seed', 'train', 'validation', 'marks']);
  const metrics = t.child('metrics', [
    'train',
    'validation',
    'built_in_validation',
  ]);
  const trainedAt = t.string('trained_at');
  if (Number.isNaN(Date.parse(trainedAt))) {
    throw new ModelArtifactError(
      `training.trained_at is not a date: "${trainedAt}"`,
    );
  }
  return {
    schema: MODEL_ARTIFACT_SCHEMA,
    model: MODEL_NAME,
    version: root.string('version', MODEL_VERSION_PATTERN),
    revision,
    parameters: {
      minEdgeStrength: p.number('minEdgeStrength', 0, 2040),
      edgeSigmas: p.number('edgeSigmas', 0, 10),
      joinRadius: p.number('joinRadius', 0, 8, true),
      minEdgePixels: p.number('minEdgePixels', 1, 65_536, true),
      minScore: p.number('minScore', 0, 1),
      maxRegions: p.number('maxRegions', 1, 100, true),
    },
    training: {
      trained_at: trainedAt,
      trainer: t.string('trainer'),
      epochs: t.number('epochs', 1, 100, true),
      samples: {
        seed: samples.number('seed', 0, 2 ** 32 - 1, true),
        train: samples.number('train', 1, 1_000_000, true),
        validation: samples.number('validation', 0, 1_000_000, true),
        marks: samples.number('marks', 0, 100_000_000, true),
      },
      metrics: {
        train: score(metrics.child('train', SCORE_KEYS)),
        validation: score(metrics.child('validation', SCORE_KEYS)),
        built_in_validation: score(
          metrics.child('built_in_validation', SCORE_KEYS),
        ),
      },
    },
  };
}

/**
 * Reads an artifact blob: JSON, the schema above exactly, the checksum over what was read, and the
 * version the service asked for. Throws ModelArtifactError saying what is wrong.
 */
export function parseArtifact(
  text: string,
  expectedVersion: string,
): ModelArtifact {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelArtifactError(
      `not JSON (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const root = Reader.object('', json, [
    'schema',
    'model',
    'version',
    'revision',
    'parameters',
    'training',
    'checksum',
  ]);
  const body = readArtifact(root);
  const checksum = root.child('checksum', ['algorithm', 'value']);
  if (checksum.string('algorithm') !== 'sha256') {
    throw new ModelArtifactError('checksum.algorithm must be "sha256"');
  }
  const recorded = checksum.string('value', /^[0-9a-f]{64}$/);
  const actual = checksumOf(body);
  if (recorded !== actual) {
    throw new ModelArtifactError(
      `checksum mismatch: the artifact records sha256 ${recorded}, its content hashes to ${actual}`,
    );
  }
  if (body.version !== expectedVersion) {
    throw new ModelArtifactError(
      `version is "${body.version}", expected "${expectedVersion}"`,
    );
  }
  return { ...body, checksum: { algorithm: 'sha256', value: recorded } };
}

/** Where a version lives in the models container. */
export function modelBlobName(version: string): string {
  return `${MODEL_NAME}/${version}/model.json`;
}
