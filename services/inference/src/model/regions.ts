/**
 * The pixel computation behind the stand-in damage model: Sobel edges on a greyscale grid, an adaptive
 * threshold, a small dilation so the edges of one mark join up, then connected components, each scored
 * by how far its edges stand above the threshold and how many edge pixels it has. Pure and
 * deterministic: the same grid always gives the same regions, in the same order.
 */

/** A region in grid coordinates, before it is scaled back to the image. */
export interface GridRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

export interface RegionSearchOptions {
  /** Edge strengths below this never count, however flat the image (L1 Sobel, 0..2040). */
  minEdgeStrength: number;
  /** How many standard deviations above the mean an edge must stand. */
  edgeSigmas: number;
  /** Radius of the square dilation that joins nearby edges into one region. */
  joinRadius: number;
  /** Components with fewer edge pixels are noise. */
  minEdgePixels: number;
  /** Regions scoring below this are not reported. */
  minScore: number;
  /** At most this many regions, the highest scores first. */
  maxRegions: number;
}

export const DEFAULT_REGION_SEARCH: RegionSearchOptions = {
  minEdgeStrength: 80,
  edgeSigmas: 2.5,
  joinRadius: 2,
  minEdgePixels: 12,
  minScore: 0.5,
  maxRegions: 20,
};

/** Sobel gradient magnitude (|gx| + |gy|) of an 8-bit greyscale grid; the border stays 0. */
export function edgeStrength(
  grey: Uint8Array,
  width: number,
  height: number,
): Uint16Array {
  const magnitude = new Uint16Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const topLeft = grey[i - width - 1];
      const top = grey[i - width];
      const topRight = grey[i - width + 1];
      const left = grey[i - 1];
      const right = grey[i + 1];
      const bottomLeft = grey[i + width - 1];
      const bottom = grey[i + width];
      const bottomRight = grey[i + width + 1];
      const gx =
        topRight + 2 * right + bottomRight - topLeft - 2 * left - bottomLeft;
      const gy =
        bottomLeft + 2 * bottom + bottomRight - topLeft - 2 * top - topRight;
      magnitude[i] = Math.abs(gx) + Math.abs(gy);
    }
  }
  return magnitude;
}

function edgeThreshold(
  magnitude: Uint16Array,
  options: RegionSearchOptions,
): number {
  let sum = 0;
  let sumOfSquares = 0;
  for (const value of magnitude) {
    sum += value;
    sumOfSquares += value * value;
  }
  const mean = sum / magnitude.length;
  const deviation = Math.sqrt(
    Math.max(0, sumOfSquares / magnitude.length - mean * mean),
  );
  return Math.max(
    options.minEdgeStrength,
    mean + options.edgeSigmas * deviation,
  );
}

/** Square dilation, done as a horizontal then a vertical pass. */
function dilate(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number,
): Uint8Array {
  const horizontal = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) {
        continue;
      }
      const from = Math.max(0, x - radius);
      const to = Math.min(width - 1, x + radius);
      horizontal.fill(1, row + from, row + to + 1);
    }
  }
  const result = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!horizontal[y * width + x]) {
        continue;
      }
      const from = Math.max(0, y - radius);
      const to = Math.min(height - 1, y + radius);
      for (let yy = from; yy <= to; yy++) {
        result[yy * width + x] = 1;
      }
    }
  }
  return result;
}

function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

interface Component {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  edgePixels: number;
  strengthSum: number;
}

/** 8-connected components of the joined mask, with the edge pixels they cover. */
function components(
  joined: Uint8Array,
  edges: Uint8Array,
  magnitude: Uint16Array,
  width: number,
  height: number,
): Component[] {
  const visited = new Uint8Array(joined.length);
  const stack = new Int32Array(joined.length);
  const found: Component[] = [];
  for (let start = 0; start < joined.length; start++) {
    if (!joined[start] || visited[start]) {
      continue;
    }
    const component: Component = {
      minX: width,
      minY: height,
      maxX: 0,
      maxY: 0,
      edgePixels: 0,
      strengthSum: 0,
    };
    let top = 0;
    stack[top++] = start;
    visited[start] = 1;
    while (top > 0) {
      const i = stack[--top];
      const x = i % width;
      const y = (i - x) / width;
      if (edges[i]) {
        // The box is drawn round the edges themselves, not round the dilation that joined them.
        component.minX = Math.min(component.minX, x);
        component.maxX = Math.max(component.maxX, x);
        component.minY = Math.min(component.minY, y);
        component.maxY = Math.max(component.maxY, y);
        component.edgePixels++;
        component.strengthSum += magnitude[i];
      }
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) {
          continue;
        }
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const n = ny * width + nx;
          if (nx < 0 || nx >= width || !joined[n] || visited[n]) {
            continue;
          }
          visited[n] = 1;
          stack[top++] = n;
        }
      }
    }
    found.push(component);
  }
  return found;
}

/** Finds and scores the regions of an 8-bit greyscale grid. */
export function findRegions(
  grey: Uint8Array,
  width: number,
  height: number,
  options: RegionSearchOptions = DEFAULT_REGION_SEARCH,
): GridRegion[] {
  if (width < 3 || height < 3) {
    return [];
  }
  const magnitude = edgeStrength(grey, width, height);
  const threshold = edgeThreshold(magnitude, options);
  const edges = new Uint8Array(magnitude.length);
  for (let i = 0; i < magnitude.length; i++) {
    edges[i] = magnitude[i] >= threshold ? 1 : 0;
  }
  const joined = dilate(edges, width, height, options.joinRadius);

  const regions: GridRegion[] = [];
  for (const component of components(joined, edges, magnitude, width, height)) {
    if (component.edgePixels < options.minEdgePixels) {
      continue;
    }
    // Contrast: how far the mean edge stands above the threshold; support: how much edge there is.
    const contrast =
      component.strengthSum / component.edgePixels / threshold - 1;
    const support = Math.log(
      component.edgePixels / (4 * options.minEdgePixels),
    );
    const score =
      Math.round(logistic(1.5 * contrast + 0.5 * support) * 10_000) / 10_000;
    if (score < options.minScore) {
      continue;
    }
    regions.push({
      x: component.minX,
      y: component.minY,
      width: component.maxX - component.minX + 1,
      height: component.maxY - component.minY + 1,
      score,
    });
  }
  regions.sort((a, b) => b.score - a.score || a.y - b.y || a.x - b.x);
  return regions.slice(0, options.maxRegions);
}
