import { Mark, sceneImage, seededRandom } from '../samples/sampleImages';

/** A sample image and the marks on it: the boxes the model should find. */
export interface LabelledSample {
  image: Buffer;
  width: number;
  height: number;
  marks: Mark[];
}

export interface SampleSetOptions {
  count: number;
  seed: number;
  width?: number;
  height?: number;
  /** Share of marks that barely stand out (10 to 24 grey levels from the background), 0..1. */
  faintShare?: number;
  /** Largest paint grain amplitude (grey levels); each image gets 0 up to this. */
  maxGrain?: number;
}

function overlaps(a: Mark, b: Mark, gap: number): boolean {
  return (
    a.x < b.x + b.width + gap &&
    b.x < a.x + a.width + gap &&
    a.y < b.y + b.height + gap &&
    b.y < a.y + a.height + gap
  );
}

/**
 * A labelled set made with the service's own sample generator: flat scenes of random grey with zero to
 * three rectangular marks each (some clean images, some faint marks, some paint grain), PNG and JPEG.
 * The same options always give the same images and labels.
 */
export async function labelledSamples(
  options: SampleSetOptions,
): Promise<LabelledSample[]> {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const faintShare = options.faintShare ?? 0.35;
  const maxGrain = options.maxGrain ?? 8;
  const random = seededRandom(options.seed);
  const between = (low: number, high: number) =>
    Math.round(low + random() * (high - low));

  const samples: LabelledSample[] = [];
  for (let i = 0; i < options.count; i++) {
    const background = between(70, 190);
    const marks: Mark[] = [];
    const wanted = between(0, 3);
    for (let attempt = 0; marks.length < wanted && attempt < 20; attempt++) {
      const markWidth = between(24, width / 3);
      const markHeight = between(16, height / 3);
      const contrast =
        random() < faintShare ? between(10, 24) : between(50, 110);
      const shade =
        background + contrast <= 255 &&
        (background - contrast < 0 || random() < 0.5)
          ? background + contrast
          : background - contrast;
      const mark: Mark = {
        x: between(8, width - markWidth - 8),
        y: between(8, height - markHeight - 8),
        width: markWidth,
        height: markHeight,
        shade,
      };
      if (!marks.some(other => overlaps(mark, other, 12))) {
        marks.push(mark);
      }
    }
    const amplitude = random() < 0.5 ? 0 : between(2, maxGrain);
    const image = await sceneImage({
      width,
      height,
      format: random() < 0.75 ? 'png' : 'jpeg',
      background,
      marks,
      grain:
        amplitude > 0
          ? { amplitude, seed: (options.seed * 7919 + i) >>> 0 }
          : undefined,
    });
    samples.push({ image, width, height, marks });
  }
  return samples;
}
