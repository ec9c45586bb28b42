import { MODEL_VERSION_PATTERN } from './model/artifact';
import { BUILT_IN_MODEL_VERSION } from './model/ActiveModel';

/** Where the treated images and prediction results are stored. */
export type BlobConnection =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'workload-identity'; accountUrl: string };

/** Blue/green colour of the rollout this replica belongs to, if any. */
export type RolloutColour = 'blue' | 'green' | 'none';

export interface ServiceConfig {
  host: string;
  port: number;
  blob: BlobConnection;
  blobContainer: string;
  /** Container the training Job writes model artifacts to and the service reads them from. */
  modelContainer: string;
  /** Largest accepted upload, in bytes. */
  maxImageBytes: number;
  /** Largest accepted image, in pixels (width x height). */
  maxImagePixels: number;
  /** The model version to serve: an artifact in modelContainer, or the built-in version. */
  modelVersion: string;
  rolloutColour: RolloutColour;
  logLevel: string;
  /** Prometheus instrumentation; only the instrumentation benchmark turns it off. */
  metricsEnabled: boolean;
  /** How long a shutdown waits for requests in flight before giving up. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_BLOB_CONTAINER = 'treated-images';
export const DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;
export const DEFAULT_MODEL_CONTAINER = 'models';
/** The built-in parameters: no artifact is read for this version. */
export const DEFAULT_MODEL_VERSION = BUILT_IN_MODEL_VERSION;

const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Thrown at start-up when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  if (
    !/^\d+$/.test(raw) ||
    Number(raw) <= 0 ||
    !Number.isSafeInteger(Number(raw))
  ) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function port(env: Env): number {
  const value = positiveInteger(env, 'PORT', DEFAULT_PORT);
  if (value > 65535) {
    throw new ConfigError(`PORT must be at most 65535, got ${value}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) {
    return fallback;
  }
  if (['1', 'true', 'yes', 'on'].includes(raw)) {
    return true;
  }
  if (['0', 'false', 'no', 'off'].includes(raw)) {
    return false;
  }
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function blobConnection(env: Env): BlobConnection {
  const connectionString = env.AZURE_STORAGE_CONNECTION_STRING?.trim();
  if (connectionString) {
    return { kind: 'connection-string', connectionString };
  }
  const accountUrl = env.AZURE_STORAGE_ACCOUNT_URL?.trim();
  if (accountUrl) {
    let url: URL;
    try {
      url = new URL(accountUrl);
    } catch {
      throw new ConfigError(
        `AZURE_STORAGE_ACCOUNT_URL is not a URL: "${accountUrl}"`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError('AZURE_STORAGE_ACCOUNT_URL must be an http(s) URL');
    }
    return { kind: 'workload-identity', accountUrl: url.toString() };
  }
  throw new ConfigError(
    'set AZURE_STORAGE_CONNECTION_STRING (local, Azurite) or AZURE_STORAGE_ACCOUNT_URL (Azure, with workload identity)',
  );
}

export function containerName(
  env: Env,
  variable: string,
  fallback: string,
): string {
  const name = env[variable]?.trim() || fallback;
  // Azure's container naming rules; checked here so a typo fails at start-up, not on the first upload.
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
    throw new ConfigError(
      `${variable} "${name}" is not a valid container name (3-63 lower-case letters, digits and single hyphens)`,
    );
  }
  return name;
}

export function modelVersion(env: Env): string {
  const version = env.MODEL_VERSION?.trim() || DEFAULT_MODEL_VERSION;
  if (!MODEL_VERSION_PATTERN.test(version)) {
    throw new ConfigError(
      `MODEL_VERSION "${version}" is not a model version (1-63 lower-case letters, digits, ".", "_" and "-", starting and ending with a letter or digit)`,
    );
  }
  return version;
}

function rolloutColour(env: Env): RolloutColour {
  const raw = env.ROLLOUT_COLOUR?.trim().toLowerCase();
  if (!raw) {
    return 'none';
  }
  if (raw !== 'blue' && raw !== 'green') {
    throw new ConfigError(`ROLLOUT_COLOUR must be blue or green, got "${raw}"`);
  }
  return raw;
}

export function logLevel(env: Env): string {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`,
    );
  }
  return level;
}

/** Reads the service configuration from environment variables (see the package README). */
export function loadConfig(env: Env = process.env): ServiceConfig {
  return {
    host: env.HOST?.trim() || '0.0.0.0',
    port: port(env),
    blob: blobConnection(env),
    blobContainer: containerName(env, 'BLOB_CONTAINER', DEFAULT_BLOB_CONTAINER),
    modelContainer: containerName(
      env,
      'MODEL_CONTAINER',
      DEFAULT_MODEL_CONTAINER,
    ),
    maxImageBytes: positiveInteger(
      env,
      'MAX_IMAGE_BYTES',
      DEFAULT_MAX_IMAGE_BYTES,
    ),
    maxImagePixels: positiveInteger(
      env,
      'MAX_IMAGE_PIXELS',
      DEFAULT_MAX_IMAGE_PIXELS,
    ),
    modelVersion: modelVersion(env),
    rolloutColour: rolloutColour(env),
    logLevel: logLevel(env),
    metricsEnabled: flag(env, 'METRICS_ENABLED', true),
    shutdownTimeoutMs: positiveInteger(env, 'SHUTDOWN_TIMEOUT_MS', 25_000),
  };
}
