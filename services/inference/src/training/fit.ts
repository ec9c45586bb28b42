import type { DetectionScore } from '../model/artifact';
import { AnalysisGrid, analysisGrid } from '../model/detector';
import {
  DEFAULT_REGION_SEARCH,
  findRegions,
  GridRegion,
  RegionSearchOptions,
} from '../model/regions';
import type { LabelledSample } from './labelledSamples';

type Box = { x: number; y: number; width: number; height: number };

/** A sample decoded once, as the detector sees it, with its labels on the same grid. */
export interface PreparedSample {
  grid: AnalysisGrid;
  labels: Box[];
}

/** A found region matches a label when they overlap this much (intersection over union). */
export const MATCH_IOU = 0.5;

/** The values coordinate search tries for each parameter (maxRegions is not fitted). */
export const SEARCH_SPACE: Record<
  Exclude<keyof RegionSearchOptions, 'maxRegions'>,
  number[]
> = {
  minEdgeStrength: [20, 30, 40, 50, 60, 70, 80, 100, 120, 160],
  edgeSigmas: [1, 1.5, 2, 2.5, 3, 3.5, 4],
  joinRadius: [1, 2, 3],
  minEdgePixels: [4, 8, 12, 16, 24, 32],
  minScore: [0.3, 0.4, 0.5, 0.6, 0.7],
};

const MAX_PIXELS = 40_000_000;

export async function prepareSamples(
  samples: LabelledSample[],
): Promise<PreparedSample[]> {
  const prepared: PreparedSample[] = [];
  for (const sample of samples) {
    const grid = await analysisGrid(sample.image, MAX_PIXELS);
    const sx = grid.width / sample.width;
    const sy = grid.height / sample.height;
    prepared.push({
      grid,
      labels: sample.marks.map(mark => ({
        x: mark.x * sx,
        y: mark.y * sy,
        width: mark.width * sx,
        height: mark.height * sy,
      })),
    });
  }
  return prepared;
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) {
    return 0;
  }
  const overlap = w * h;
  return overlap / (a.width * a.height + b.width * b.height - overlap);
}

/** Hits of one image: each label matched at most once, the highest-scoring regions first. */
function hits(regions: GridRegion[], labels: Box[]): number {
  const free = labels.slice();
  let matched = 0;
  for (const region of regions) {
    const best = free.findIndex(label => iou(region, label) >= MATCH_IOU);
    if (best >= 0) {
      free.splice(best, 1);
      matched++;
    }
  }
  return matched;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Micro-averaged precision, recall and F1 of `parameters` over the samples. */
export function evaluate(
  samples: PreparedSample[],
  parameters: RegionSearchOptions,
): DetectionScore {
  let found = 0;
  let labelled = 0;
  let matched = 0;
  for (const { grid, labels } of samples) {
    const regions = findRegions(grid.grey, grid.width, grid.height, parameters);
    found += regions.length;
    labelled += labels.length;
    matched += hits(regions, labels);
  }
  // Nothing found and nothing to find is perfect; either alone is not.
  let precision = matched / found;
  if (found === 0) {
    precision = labelled === 0 ? 1 : 0;
  }
  const recall = labelled === 0 ? 1 : matched / labelled;
  const f1 =
    precision + recall === 0
      ? 0
      : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1) };
}

function better(a: DetectionScore, b: DetectionScore): boolean {
  return a.f1 > b.f1 || (a.f1 === b.f1 && a.precision > b.precision);
}

export interface FitResult {
  parameters: RegionSearchOptions;
  score: DetectionScore;
  /** Passes actually run: the search stops early once a pass changes nothing. */
  epochs: number;
}

/**
 * Coordinate search from the built-in parameters: each pass tries every value of one parameter at a
 * time, the others held, and keeps a value only when it scores strictly better (F1, then precision).
 * Deterministic: the same samples give the same parameters.
 */
export function fitParameters(
  samples: PreparedSample[],
  maxEpochs: number,
  start: RegionSearchOptions = DEFAULT_REGION_SEARCH,
): FitResult {
  let parameters = { ...start };
  let score = evaluate(samples, parameters);
  let epochs = 0;
  while (epochs < maxEpochs) {
    epochs++;
    let changed = false;
    for (const [name, values] of Object.entries(SEARCH_SPACE)) {
      for (const value of values) {
        const candidate = { ...parameters, [name]: value };
        const candidateScore = evaluate(samples, candidate);
        if (better(candidateScore, score)) {
          parameters = candidate;
          score = candidateScore;
          changed = true;
        }
      }
    }
    if (!changed) {
      break;
    }
  }
  return { parameters, score, epochs };
}
