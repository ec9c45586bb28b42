import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ContainerClient } from '@azure/storage-blob';
import {
  InProcessService,
  startInProcessService,
} from '../launch/inProcessService';
import { buildService, startServiceProcess } from '../launch/serviceProcess';
import { Azurite, startAzurite } from '../local/azurite';
import { packageDir } from '../local/paths';
import { BUILT_IN_MODEL_VERSION } from '../model/ActiveModel';
import {
  buildArtifact,
  ModelArtifact,
  ModelArtifactError,
  modelBlobName,
  parseArtifact,
} from '../model/artifact';
import { detect } from '../model/detector';
import { DEFAULT_REGION_SEARCH, RegionSearchOptions } from '../model/regions';
import { BlobModelStore } from '../storage/BlobModelStore';
import { createBlobServiceClient } from '../storage/blobServiceClient';
import { evaluate, MATCH_IOU, prepareSamples } from './fit';
import { LabelledSample, labelledSamples } from './labelledSamples';

// Training runs as the Job runs it (the compiled dist/train.js, its own process) against a real
// Azurite; the service loads what it wrote, in a process and in this one.
jest.setTimeout(180_000);

const MODELS = 'models';
const TRAINED = 'edge-test-a';
const TRAINING_ARGS = ['--samples', '24', '--epochs', '2', '--seed', '7'];

let azurite: Azurite;
let models: ContainerClient;
let store: BlobModelStore;
let trained: ModelArtifact;
/** Labelled images none of the trainings saw. */
let heldOut: LabelledSample[];

function train(version: string, args: string[] = TRAINING_ARGS) {
  return promisify(execFile)(
    process.execPath,
    [join(packageDir(), 'dist', 'train.js'), ...args],
    {
      env: {
        PATH: process.env.PATH ?? '',
        MODEL_VERSION: version,
        MODEL_CONTAINER: MODELS,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      },
    },
  );
}

function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line));
}

async function putBlob(version: string, text: string): Promise<void> {
  await models
    .getBlockBlobClient(modelBlobName(version))
    .uploadData(Buffer.from(text));
}

beforeAll(async () => {
  await buildService();
  azurite = await startAzurite();
  const blobs = createBlobServiceClient({
    kind: 'connection-string',
    connectionString: azurite.connectionString,
  });
  // The storage stack creates the container; the training identity could not.
  models = blobs.getContainerClient(MODELS);
  await models.create();
  store = new BlobModelStore(blobs, MODELS);
  heldOut = await labelledSamples({ count: 16, seed: 99, faintShare: 0.5 });
});

afterAll(async () => {
  await azurite?.stop();
});

describe('the training program', () => {
  it('fits the parameters on labelled samples and publishes a versioned, checksummed artifact', async () => {
    const { stdout } = await train(TRAINED);
    const published = logLines(stdout).find(
      l => l.msg === 'training: model published',
    );
    expect(published).toMatchObject({
      model_version: TRAINED,
      container: MODELS,
    });

    const blob = models.getBlobClient(modelBlobName(TRAINED));
    const text = (await blob.downloadToBuffer()).toString('utf8');
    trained = parseArtifact(text, TRAINED);
    expect(trained).toMatchObject({
      schema: 'devops-app/edge-anomaly-model/v1',
      model: 'edge-anomaly',
      version: TRAINED,
      checksum: { algorithm: 'sha256', value: published!.sha256 },
      training: {
        epochs: expect.any(Number),
        samples: { seed: 7, train: 18, validation: 6 },
      },
    });
    expect((await blob.getProperties()).contentType).toBe('application/json');

    // The same seed makes the same samples: the fitted parameters score at least as well on them as
    // the built-in ones, and the artifact records that score truly.
    const samples = await prepareSamples(
      await labelledSamples({ count: 24, seed: 7 }),
    );
    const trainShare = samples.slice(0, 18);
    expect(evaluate(trainShare, trained.parameters)).toEqual(
      trained.training.metrics.train,
    );
    expect(trained.training.metrics.train.f1).toBeGreaterThanOrEqual(
      evaluate(trainShare, DEFAULT_REGION_SEARCH).f1,
    );
    expect(trained.parameters).not.toEqual(DEFAULT_REGION_SEARCH);
    expect(trained.training.metrics.built_in_validation).toEqual(
      evaluate(samples.slice(18), DEFAULT_REGION_SEARCH),
    );
  });

  it('never overwrites a published version, and succeeds when it is already there', async () => {
    const blob = models.getBlobClient(modelBlobName(TRAINED));
    const before = await blob.getProperties();
    const { stdout } = await train(TRAINED);
    expect(logLines(stdout).map(l => l.msg)).toContain(
      'training: this version is already published and valid; left as it is',
    );
    expect((await blob.getProperties()).etag).toBe(before.etag);
  });

  it('refuses a bad configuration with the name of what is wrong (exit 2)', async () => {
    await expect(train(TRAINED, ['--epochs', 'many'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--epochs must be an integer'),
    });
    await expect(train(BUILT_IN_MODEL_VERSION)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('set MODEL_VERSION'),
    });
  });
});

/** Share of the held-out marks the service's answers found (IoU >= MATCH_IOU), and the regions. */
async function predictHeldOut(baseUrl: string) {
  let found = 0;
  let labelled = 0;
  let regions = 0;
  const versions = new Set<string>();
  for (const sample of heldOut) {
    const response = await fetch(`${baseUrl}/v1/predictions`, {
      method: 'POST',
      body: new Uint8Array(sample.image),
      headers: {
        'content-type': sample.image[0] === 0x89 ? 'image/png' : 'image/jpeg',
      },
    });
    expect(response.status).toBe(201);
    const result = await response.json();
    versions.add(result.model_version);
    regions += result.regions.length;
    labelled += sample.marks.length;
    for (const mark of sample.marks) {
      const hit = result.regions.some(
        ({ box }: { box: typeof mark }) => overlap(box, mark) >= MATCH_IOU,
      );
      found += hit ? 1 : 0;
    }
  }
  return { recall: found / labelled, regions, versions: [...versions] };
}

function overlap(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = w > 0 && h > 0 ? w * h : 0;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

describe('the service with a trained model', () => {
  it('loads MODEL_VERSION at start and reports it on /readyz, in model_info and in every prediction', async () => {
    const service = await startServiceProcess({
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      DD_TRACE_ENABLED: 'false',
      MODEL_VERSION: TRAINED,
      MODEL_CONTAINER: MODELS,
    });
    try {
      const ready = await fetch(`${service.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).model).toEqual({
        version: TRAINED,
        source: 'artifact',
        checksum: trained.checksum.value,
        requested_version: TRAINED,
      });
      const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
      expect(metrics).toContain(
        `model_info{version="${TRAINED}",colour="none"} 1`,
      );
      const sample = heldOut.find(s => s.marks.length > 0)!;
      const response = await fetch(`${service.baseUrl}/v1/predictions`, {
        method: 'POST',
        body: new Uint8Array(sample.image),
        headers: { 'content-type': 'image/png' },
      });
      const result = await response.json();
      expect(result.model_version).toBe(TRAINED);
      // The regions are the trained parameters' regions.
      expect(result.regions).toEqual(
        (await detect(sample.image, sample, 40_000_000, trained.parameters))
          .regions,
      );
      expect(service.logs.find(l => l.msg === 'model loaded')).toMatchObject({
        model: { version: TRAINED, source: 'artifact' },
      });
    } finally {
      await service.stop('SIGKILL');
    }
  });

  it('predicts measurably differently with a different artifact', async () => {
    const strict: RegionSearchOptions = {
      ...trained.parameters,
      minEdgeStrength: 160,
      minEdgePixels: 32,
    };
    const other = buildArtifact({
      version: 'edge-test-strict',
      parameters: strict,
      training: trained.training,
    });
    expect(await store.publish(other)).toBe('published');

    const services: InProcessService[] = [];
    try {
      for (const version of [TRAINED, 'edge-test-strict']) {
        services.push(
          await startInProcessService({
            azurite,
            modelVersion: version,
            modelContainer: MODELS,
          }),
        );
      }
      const [withTrained, withStrict] = await Promise.all(
        services.map(s => predictHeldOut(s.baseUrl)),
      );
      expect(withTrained.versions).toEqual([TRAINED]);
      expect(withStrict.versions).toEqual(['edge-test-strict']);
      // Half the held-out marks are faint: the strict artifact misses them, the trained one does not.
      expect(withTrained.recall - withStrict.recall).toBeGreaterThanOrEqual(
        0.2,
      );
      expect(withTrained.regions).toBeGreaterThan(withStrict.regions);
    } finally {
      await Promise.all(services.map(s => s.close()));
    }
  });
});

describe('a corrupt artifact', () => {
  const valid = () => JSON.parse(JSON.stringify(trained));
  const corrupt: Array<[string, () => string, RegExp]> = [
    [
      'a parameter changed after the checksum was taken',
      () => {
        const artifact = valid();
        artifact.parameters.minEdgeStrength += 1;
        return JSON.stringify(artifact);
      },
      /checksum mismatch: the artifact records sha256 [0-9a-f]{64}, its content hashes to [0-9a-f]{64}/,
    ],
    [
      'truncated JSON',
      () => JSON.stringify(trained).slice(0, 200),
      /refused: not JSON/,
    ],
    [
      'another schema',
      () => JSON.stringify({ ...valid(), schema: 'edge-anomaly-model/v0' }),
      /schema is "edge-anomaly-model\/v0"; this service reads "devops-app\/edge-anomaly-model\/v1"/,
    ],
    [
      'a field the schema does not have',
      () => JSON.stringify({ ...valid(), weights: [1, 2, 3] }),
      /weights is not a field of the artifact/,
    ],
    [
      'a parameter out of range',
      () => {
        const artifact = valid();
        artifact.parameters.joinRadius = 1.5;
        return JSON.stringify(artifact);
      },
      /parameters\.joinRadius must be an integer from 0 to 8, got 1\.5/,
    ],
  ];

  it.each(corrupt)(
    'with %s is refused at start: the built-in model serves, said in the log and on /readyz',
    async (_name, text, reason) => {
      const version = `bad-${Math.random().toString(36).slice(2, 8)}`;
      const content = text().replace(
        new RegExp(`"version":"${TRAINED}"`),
        `"version":"${version}"`,
      );
      await putBlob(version, content);
      const service = await startInProcessService({
        azurite,
        modelVersion: version,
        modelContainer: MODELS,
      });
      try {
        const refused = service.logs.find(
          l => l.msg === 'model artifact refused: serving the built-in model',
        );
        expect(refused).toMatchObject({
          level: 'error',
          model: {
            version: BUILT_IN_MODEL_VERSION,
            source: 'built-in',
            requested_version: version,
            problem: expect.stringMatching(reason),
          },
        });
        const ready = await fetch(`${service.baseUrl}/readyz`);
        expect(ready.status).toBe(200);
        expect((await ready.json()).model).toEqual(
          (refused as { model: unknown }).model,
        );
        const metrics = await service.metrics!.exposition();
        expect(metrics).toContain(
          `model_info{version="${BUILT_IN_MODEL_VERSION}",colour="blue"} 1`,
        );
        const sample = heldOut.find(s => s.marks.length > 0)!;
        const result = await (
          await fetch(`${service.baseUrl}/v1/predictions`, {
            method: 'POST',
            body: new Uint8Array(sample.image),
            headers: { 'content-type': 'image/png' },
          })
        ).json();
        expect(result.model_version).toBe(BUILT_IN_MODEL_VERSION);
      } finally {
        await service.close();
      }
    },
  );

  it('is refused by a service already serving a model, which keeps serving it', async () => {
    const [, text] = corrupt[0];
    const badVersion = 'bad-checksum-late';
    await putBlob(
      badVersion,
      text().replace(`"version":"${TRAINED}"`, `"version":"${badVersion}"`),
    );
    const service = await startInProcessService({
      azurite,
      modelVersion: TRAINED,
      modelContainer: MODELS,
    });
    try {
      const before = await predictHeldOut(service.baseUrl);
      await expect(service.model.load(badVersion, store)).rejects.toThrow(
        ModelArtifactError,
      );
      expect(service.model.current).toMatchObject({
        version: TRAINED,
        source: 'artifact',
        parameters: trained.parameters,
      });
      const ready = await (await fetch(`${service.baseUrl}/readyz`)).json();
      expect(ready.model).toMatchObject({
        version: TRAINED,
        requested_version: badVersion,
        problem: expect.stringContaining(
          `model version "${badVersion}" not loaded, serving "${TRAINED}" (artifact): ${MODELS}/${modelBlobName(
            badVersion,
          )} refused: checksum mismatch`,
        ),
      });
      expect(await service.metrics!.exposition()).toContain(
        `model_info{version="${TRAINED}",colour="blue"} 1`,
      );
      expect(await predictHeldOut(service.baseUrl)).toEqual(before);
    } finally {
      await service.close();
    }
  });

  it('is never published: the trainer refuses to write what the service would refuse', () => {
    expect(() =>
      buildArtifact({
        version: 'edge-test-c',
        parameters: { ...DEFAULT_REGION_SEARCH, minScore: 2 },
        training: trained.training,
      }),
    ).toThrow(/parameters\.minScore must be a number from 0 to 1, got 2/);
  });
});

describe('a version not trained yet', () => {
  it('starts on the built-in model, says so, and loads the version once it is published', async () => {
    const version = 'edge-test-late';
    const service = await startInProcessService({
      azurite,
      modelVersion: version,
      modelContainer: MODELS,
      modelRetryMs: 200,
    });
    try {
      expect(service.model.status()).toMatchObject({
        version: BUILT_IN_MODEL_VERSION,
        requested_version: version,
        problem: expect.stringContaining(
          `no artifact for version "${version}"`,
        ),
      });
      expect(service.logs.map(l => l.msg)).toContain(
        'model not available: serving the built-in model until it is',
      );
      await store.publish(
        buildArtifact({
          version,
          parameters: trained.parameters,
          training: trained.training,
        }),
      );
      const deadline = Date.now() + 30_000;
      while (service.model.current.version !== version) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      expect(service.model.status()).not.toHaveProperty('problem');
      expect(await service.metrics!.exposition()).toContain(
        `model_info{version="${version}",colour="blue"} 1`,
      );
    } finally {
      await service.close();
    }
  });
});
