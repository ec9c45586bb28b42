import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import {
  ModelArtifact,
  modelBlobName,
  ModelArtifactError,
  parseArtifact,
} from '../model/artifact';

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** What publishing a version did: versions are immutable, so an existing one is never overwritten. */
export type PublishOutcome = 'published' | 'already-published';

/** No answer from the store, or no artifact (yet) for the version: worth trying again, unlike a bad artifact. */
export class ModelStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelStoreError';
  }
}

function storeError(action: string, error: unknown): ModelStoreError {
  const status = statusOf(error);
  return new ModelStoreError(
    `blob storage could not ${action} (${
      status ? `HTTP ${status}` : (error as Error)?.message ?? String(error)
    })`,
    { cause: error },
  );
}

/**
 * Model artifacts in the `models` container, one blob per version: `edge-anomaly/<version>/model.json`.
 * The training Job's identity may write here; the service's only reads.
 */
export class BlobModelStore {
  private readonly container: ContainerClient;

  constructor(service: BlobServiceClient, containerName: string) {
    this.container = service.getContainerClient(containerName);
  }

  get containerName(): string {
    return this.container.containerName;
  }

  /**
   * The artifact of `version`, checked (schema, checksum, version). Throws ModelArtifactError when
   * the blob is refused, ModelStoreError when it is missing or storage does not answer.
   */
  async load(version: string): Promise<ModelArtifact> {
    const name = modelBlobName(version);
    let data: Buffer;
    try {
      data = await this.container.getBlobClient(name).downloadToBuffer();
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new ModelStoreError(
          `no artifact for version "${version}" (blob ${this.container.containerName}/${name})`,
          { cause: error },
        );
      }
      throw storeError(`read ${this.container.containerName}/${name}`, error);
    }
    try {
      return parseArtifact(data.toString('utf8'), version);
    } catch (error) {
      throw new ModelArtifactError(
        `${this.container.containerName}/${name} refused: ${
          (error as Error).message
        }`,
      );
    }
  }

  /**
   * Writes the artifact under its version, only if that version does not exist yet (If-None-Match: *,
   * https://learn.microsoft.com/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations).
   * An existing valid artifact is left alone ('already-published', so a retried Job succeeds); an
   * existing invalid one is an error: delete it or train another version.
   */
  async publish(artifact: ModelArtifact): Promise<PublishOutcome> {
    const name = modelBlobName(artifact.version);
    const body = Buffer.from(`${JSON.stringify(artifact, null, 2)}\n`);
    try {
      // The container is the storage stack's: an identity scoped to it cannot create containers.
      await this.container.getBlockBlobClient(name).uploadData(body, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        conditions: { ifNoneMatch: '*' },
        metadata: {
          model: artifact.model,
          version: artifact.version,
          sha256: artifact.checksum.value,
        },
      });
      return 'published';
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new ModelStoreError(
          `container "${this.containerName}" does not exist (the storage stack creates it)`,
          { cause: error },
        );
      }
      if (statusOf(error) !== 409) {
        throw storeError(`write ${this.containerName}/${name}`, error);
      }
    }
    await this.load(artifact.version);
    return 'already-published';
  }
}
