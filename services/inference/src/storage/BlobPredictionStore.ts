import { Readable } from 'node:stream';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { PredictionError } from '../predictions/errors';
import type { PredictionResult } from '../predictions/result';
import type {
  BlobLocation,
  PredictionStore,
  StoredImage,
  TreatedImageBlob,
} from './predictionStore';

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function unavailable(action: string, error: unknown): PredictionError {
  const status = statusOf(error);
  const detail = status
    ? `HTTP ${status}`
    : (error as Error)?.message ?? String(error);
  return new PredictionError(
    'storage-unavailable',
    `blob storage could not ${action} (${detail})`,
    {
      cause: error,
    },
  );
}

/**
 * Predictions in an Azure Blob container: `predictions/<id>/treated.<ext>` and
 * `predictions/<id>/result.json`. Tested against Azurite; the Azure-only parts (workload identity,
 * private endpoints) are not exercised by the tests.
 */
export class BlobPredictionStore implements PredictionStore {
  private readonly container: ContainerClient;
  private containerKnownToExist = false;

  constructor(service: BlobServiceClient, containerName: string) {
    this.container = service.getContainerClient(containerName);
  }

  private static resultName(id: string): string {
    return `predictions/${id}/result.json`;
  }

  treatedImageLocation(id: string, extension: string): BlobLocation {
    const name = `predictions/${id}/treated.${extension}`;
    return {
      container: this.container.containerName,
      name,
      url: this.container.getBlockBlobClient(name).url,
    };
  }

  async saveTreatedImage(image: TreatedImageBlob): Promise<void> {
    try {
      await this.container
        .getBlockBlobClient(image.location.name)
        .uploadData(image.data, {
          blobHTTPHeaders: { blobContentType: image.contentType },
        });
    } catch (error) {
      throw unavailable('store the treated image', error);
    }
  }

  async saveResult(result: PredictionResult): Promise<void> {
    const json = Buffer.from(JSON.stringify(result));
    try {
      await this.container
        .getBlockBlobClient(BlobPredictionStore.resultName(result.id))
        .uploadData(json, {
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
    } catch (error) {
      throw unavailable('store the prediction result', error);
    }
  }

  async deleteTreatedImage(blobName: string): Promise<void> {
    try {
      await this.container.getBlobClient(blobName).deleteIfExists();
    } catch (error) {
      throw unavailable('delete the treated image', error);
    }
  }

  async loadResult(id: string): Promise<PredictionResult | undefined> {
    let data: Buffer;
    try {
      data = await this.container
        .getBlobClient(BlobPredictionStore.resultName(id))
        .downloadToBuffer();
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw unavailable('read the prediction result', error);
    }
    return JSON.parse(data.toString('utf8')) as PredictionResult;
  }

  async openImage(blobName: string): Promise<StoredImage | undefined> {
    try {
      const download = await this.container.getBlobClient(blobName).download();
      if (!download.readableStreamBody) {
        throw new Error('the download has no body');
      }
      return {
        stream: Readable.from(download.readableStreamBody),
        contentType: download.contentType ?? 'application/octet-stream',
        contentLength: download.contentLength,
        etag: download.etag,
      };
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw unavailable('read the treated image', error);
    }
  }

  async checkReady(signal: AbortSignal): Promise<void> {
    try {
      if (this.containerKnownToExist) {
        await this.container.getProperties({ abortSignal: signal });
      } else {
        await this.container.createIfNotExists({ abortSignal: signal });
        this.containerKnownToExist = true;
      }
    } catch (error) {
      if (statusOf(error) === 404) {
        // Deleted behind our back: the next check creates it again.
        this.containerKnownToExist = false;
      }
      throw unavailable(
        `reach container "${this.container.containerName}"`,
        error,
      );
    }
  }
}
