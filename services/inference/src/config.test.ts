import { ConfigError, DEFAULT_MODEL_VERSION, loadConfig } from './config';

const AZURITE = {
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(AZURITE)).toEqual({
      host: '0.0.0.0',
      port: 8000,
      blob: {
        kind: 'connection-string',
        connectionString: 'UseDevelopmentStorage=true',
      },
      blobContainer: 'treated-images',
      modelContainer: 'models',
      maxImageBytes: 10485760,
      maxImagePixels: 40_000_000,
      modelVersion: DEFAULT_MODEL_VERSION,
      rolloutColour: 'none',
      logLevel: 'info',
      metricsEnabled: true,
      shutdownTimeoutMs: 25_000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      AZURE_STORAGE_ACCOUNT_URL: 'https://devopsappdev.blob.core.windows.net',
      HOST: '127.0.0.1',
      PORT: '9000',
      BLOB_CONTAINER: 'images-dev',
      MODEL_CONTAINER: 'models-dev',
      MAX_IMAGE_BYTES: '2048',
      MAX_IMAGE_PIXELS: '1000',
      MODEL_VERSION: 'car-damage-2.3.1',
      ROLLOUT_COLOUR: 'Green',
      LOG_LEVEL: 'debug',
      METRICS_ENABLED: 'false',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 9000,
      blob: {
        kind: 'workload-identity',
        accountUrl: 'https://devopsappdev.blob.core.windows.net/',
      },
      blobContainer: 'images-dev',
      modelContainer: 'models-dev',
      maxImageBytes: 2048,
      maxImagePixels: 1000,
      modelVersion: 'car-damage-2.3.1',
      rolloutColour: 'green',
      logLevel: 'debug',
      metricsEnabled: false,
      shutdownTimeoutMs: 5000,
    });
  });

  it('prefers the connection string when both connections are set', () => {
    const config = loadConfig({
      ...AZURITE,
      AZURE_STORAGE_ACCOUNT_URL: 'https://x.blob.core.windows.net',
    });
    expect(config.blob.kind).toBe('connection-string');
  });

  it.each([
    [{}, /AZURE_STORAGE_CONNECTION_STRING/],
    [{ AZURE_STORAGE_ACCOUNT_URL: 'not a url' }, /not a URL/],
    [{ ...AZURITE, PORT: '80a' }, /PORT must be a positive integer/],
    [{ ...AZURITE, PORT: '70000' }, /PORT must be at most 65535/],
    [{ ...AZURITE, MAX_IMAGE_BYTES: '-1' }, /MAX_IMAGE_BYTES/],
    [{ ...AZURITE, MAX_IMAGE_PIXELS: '0' }, /MAX_IMAGE_PIXELS/],
    [
      { ...AZURITE, BLOB_CONTAINER: 'Treated_Images' },
      /not a valid container name/,
    ],
    [{ ...AZURITE, BLOB_CONTAINER: 'a--b' }, /not a valid container name/],
    [{ ...AZURITE, MODEL_CONTAINER: 'Models' }, /MODEL_CONTAINER "Models"/],
    [
      { ...AZURITE, MODEL_VERSION: 'edge v1/../x' },
      /MODEL_VERSION "edge v1\/..\/x" is not a model version/,
    ],
    [{ ...AZURITE, ROLLOUT_COLOUR: 'red' }, /blue or green/],
    [{ ...AZURITE, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ...AZURITE, METRICS_ENABLED: 'maybe' }, /METRICS_ENABLED/],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
