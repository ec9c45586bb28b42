import sharp, { type Metadata } from 'sharp';
import { PredictionError } from './errors';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface InspectedImage {
  format: ImageFormat;
  /** Size once upright (EXIF orientation applied), which is what the boxes refer to. */
  width: number;
  height: number;
  bytes: number;
  /** The upload itself, known from here on to be present. */
  data: Buffer;
}

const PNG_SIGNATURE = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

/** The format, from the file's own signature: a client's Content-Type is not trusted. */
export function sniffFormat(image: Buffer): ImageFormat | undefined {
  if (image.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    return 'png';
  }
  if (image.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)) {
    return 'jpeg';
  }
  return undefined;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Checks an upload before any pixel work: present, within the byte limit, a PNG or JPEG by its
 * signature, a readable header, and within the pixel limit. Only the header is read here, so a
 * decompression bomb is refused before it is decoded.
 */
export async function inspectImage(
  image: Buffer | undefined,
  limits: ImageLimits,
): Promise<InspectedImage> {
  if (!image || image.length === 0) {
    throw new PredictionError(
      'missing-image',
      'no image in the request: send a PNG or JPEG as the body (Content-Type image/png or image/jpeg) or as a multipart file field',
    );
  }
  if (image.length > limits.maxBytes) {
    throw new PredictionError(
      'image-too-large',
      `image is ${megabytes(image.length)}; the limit is ${megabytes(
        limits.maxBytes,
      )}`,
    );
  }
  const format = sniffFormat(image);
  if (!format) {
    throw new PredictionError(
      'not-an-image',
      'the upload is not a PNG or JPEG image (its first bytes match neither signature)',
    );
  }
  let metadata: Metadata;
  try {
    metadata = await sharp(image, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new PredictionError(
      'corrupt-image',
      `the ${format.toUpperCase()} image cannot be read: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  if (!metadata.width || !metadata.height) {
    throw new PredictionError(
      'corrupt-image',
      `the ${format.toUpperCase()} image has no size`,
    );
  }
  const pixels = metadata.width * metadata.height;
  if (pixels > limits.maxPixels) {
    throw new PredictionError(
      'too-many-pixels',
      `image is ${metadata.width}x${metadata.height} (${pixels} pixels); the limit is ${limits.maxPixels} pixels`,
    );
  }
  // EXIF orientations 5 to 8 turn the image a quarter, swapping its sides.
  const quarterTurn = (metadata.orientation ?? 1) >= 5;
  return {
    format,
    width: quarterTurn ? metadata.height : metadata.width,
    height: quarterTurn ? metadata.width : metadata.height,
    bytes: image.length,
    data: image,
  };
}
