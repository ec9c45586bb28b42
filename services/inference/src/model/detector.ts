import sharp from 'sharp';
import {
  DEFAULT_REGION_SEARCH,
  findRegions,
  RegionSearchOptions,
} from './regions';

/**
 * The stand-in for the trained car-damage model: it finds marks that stand out from their
 * surroundings (scratches, dents' shading edges, stickers) with a classical edge analysis, so the
 * service does real, deterministic pixel work per request without shipping model weights.
 */
export const MODEL_NAME = 'edge-anomaly';
/** Bump when the computation or its parameters change: results are only comparable within one revision. */
export const MODEL_REVISION = '1.0.0';

/** Longest side of the grid the analysis runs on; larger images are shrunk first. */
export const ANALYSIS_SIDE = 256;

/** A detected region in the pixel coordinates of the upright (EXIF-oriented) image. */
export interface Region {
  label: 'anomaly';
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

export interface Detection {
  /** Size of the upright image the boxes refer to. */
  width: number;
  height: number;
  regions: Region[];
}

/** The greyscale grid the region search runs on: upright, alpha flattened, at most ANALYSIS_SIDE a side. */
export interface AnalysisGrid {
  grey: Uint8Array;
  width: number;
  height: number;
}

/** Decodes an encoded PNG or JPEG into the analysis grid; rejects (with sharp's error) when it cannot. */
export async function analysisGrid(
  image: Buffer,
  maxPixels: number,
): Promise<AnalysisGrid> {
  const { data, info } = await sharp(image, {
    limitInputPixels: maxPixels,
    failOn: 'truncated',
  })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize({
      width: ANALYSIS_SIDE,
      height: ANALYSIS_SIDE,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });

  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = data[i * info.channels];
  }
  return { grey, width: info.width, height: info.height };
}

/**
 * Runs the model on an encoded PNG or JPEG with the given parameters (the loaded model's, or the
 * built-in ones). Rejects (with sharp's error) when the pixels cannot be decoded, e.g. a truncated file.
 */
export async function detect(
  image: Buffer,
  upright: { width: number; height: number },
  maxPixels: number,
  options: RegionSearchOptions = DEFAULT_REGION_SEARCH,
): Promise<Detection> {
  const grid = await analysisGrid(image, maxPixels);
  const scaleX = upright.width / grid.width;
  const scaleY = upright.height / grid.height;
  const regions = findRegions(grid.grey, grid.width, grid.height, options).map(
    region => {
      const x = Math.floor(region.x * scaleX);
      const y = Math.floor(region.y * scaleY);
      return {
        label: 'anomaly' as const,
        score: region.score,
        box: {
          x,
          y,
          width:
            Math.min(
              upright.width,
              Math.ceil((region.x + region.width) * scaleX),
            ) - x,
          height:
            Math.min(
              upright.height,
              Math.ceil((region.y + region.height) * scaleY),
            ) - y,
        },
      };
    },
  );
  return { width: upright.width, height: upright.height, regions };
}
