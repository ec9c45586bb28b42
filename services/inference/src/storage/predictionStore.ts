import type { Readable } from 'node:stream';
import type { PredictionResult } from '../predictions/result';

export interface BlobLocation {
  container: string;
  name: string;
  url: string;
}

export interface TreatedImageBlob {
  location: BlobLocation;
  data: Buffer;
  contentType: string;
}

export interface StoredImage {
  stream: Readable;
  contentType: string;
  contentLength?: number;
  etag?: string;
}

/**
 * Where predictions live: the treated image and the result JSON, side by side. Failures to reach the
 * store surface as PredictionError('storage-unavailable').
 */
export interface PredictionStore {
  treatedImageLocation(id: string, extension: string): BlobLocation;
  saveTreatedImage(image: TreatedImageBlob): Promise<void>;
  saveResult(result: PredictionResult): Promise<void>;
  /** Removes a treated image whose result could not be stored; missing blobs are fine. */
  deleteTreatedImage(blobName: string): Promise<void>;
  loadResult(id: string): Promise<PredictionResult | undefined>;
  openImage(blobName: string): Promise<StoredImage | undefined>;
  /** Resolves when the container is reachable (creating it the first time), rejects otherwise. */
  checkReady(signal: AbortSignal): Promise<void>;
}
