import sharp from 'sharp';
import type { Detection } from './detector';
import type { ImageFormat } from '../predictions/imageInspection';

export interface TreatedImage {
  data: Buffer;
  contentType: string;
  extension: string;
}

const MARK_COLOUR = '#ff2d2d';

/** SVG overlay: a frame round each region and, above it, a bar whose length is the region's score. */
function overlay(detection: Detection): string {
  const stroke = Math.max(
    2,
    Math.round(Math.min(detection.width, detection.height) / 150),
  );
  const marks = detection.regions.map(({ box, score }) => {
    const barHeight = 2 * stroke;
    const barY =
      box.y >= barHeight + stroke
        ? box.y - barHeight - stroke
        : box.y + box.height + stroke;
    const barWidth = Math.max(1, Math.round(box.width * score));
    return (
      `<rect x="${box.x + stroke / 2}" y="${
        box.y + stroke / 2
      }" width="${Math.max(1, box.width - stroke)}" ` +
      `height="${Math.max(
        1,
        box.height - stroke,
      )}" fill="none" stroke="${MARK_COLOUR}" stroke-width="${stroke}"/>` +
      `<rect x="${box.x}" y="${barY}" width="${barWidth}" height="${barHeight}" fill="${MARK_COLOUR}"/>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${detection.width}" height="${detection.height}">` +
    `${marks.join('')}</svg>`
  );
}

/**
 * The treated image: the upright input with the detected regions drawn on it, in the input's format.
 * Metadata (EXIF, ICC) is dropped, so the output is the same bytes for the same input and model.
 */
export async function drawRegions(
  image: Buffer,
  format: ImageFormat,
  detection: Detection,
  maxPixels: number,
): Promise<TreatedImage> {
  let pipeline = sharp(image, {
    limitInputPixels: maxPixels,
    failOn: 'truncated',
  }).rotate();
  if (detection.regions.length > 0) {
    pipeline = pipeline.composite([
      { input: Buffer.from(overlay(detection)), top: 0, left: 0 },
    ]);
  }
  if (format === 'jpeg') {
    return {
      data: await pipeline.jpeg({ quality: 90 }).toBuffer(),
      contentType: 'image/jpeg',
      extension: 'jpg',
    };
  }
  return {
    data: await pipeline.png({ compressionLevel: 6 }).toBuffer(),
    contentType: 'image/png',
    extension: 'png',
  };
}
