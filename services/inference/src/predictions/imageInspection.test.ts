import { pngHeaderOnly, sceneImage } from '../samples/sampleImages';
import { PredictionError } from './errors';
import { inspectImage, sniffFormat } from './imageInspection';

const LIMITS = { maxBytes: 1024 * 1024, maxPixels: 1_000_000 };

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PredictionError) {
      return error.kind;
    }
    throw error;
  }
  return 'accepted';
}

describe('inspectImage', () => {
  it('accepts a PNG and a JPEG within the limits, by their signatures', async () => {
    const png = await sceneImage({ width: 320, height: 200, format: 'png' });
    const jpeg = await sceneImage({ width: 320, height: 200, format: 'jpeg' });
    await expect(inspectImage(png, LIMITS)).resolves.toEqual({
      format: 'png',
      width: 320,
      height: 200,
      bytes: png.length,
      data: png,
    });
    await expect(inspectImage(jpeg, LIMITS)).resolves.toMatchObject({
      format: 'jpeg',
      width: 320,
      height: 200,
    });
    expect(sniffFormat(Buffer.from('GIF89a'))).toBeUndefined();
  });

  it('swaps width and height for quarter-turn EXIF orientations', async () => {
    const jpeg = await sceneImage({
      width: 320,
      height: 200,
      format: 'jpeg',
      orientation: 6,
    });
    await expect(inspectImage(jpeg, LIMITS)).resolves.toMatchObject({
      width: 320,
      height: 200,
    });
  });

  it('names each problem', async () => {
    const png = await sceneImage({ width: 320, height: 200, format: 'png' });
    expect(await kindOf(inspectImage(undefined, LIMITS))).toBe('missing-image');
    expect(await kindOf(inspectImage(Buffer.alloc(0), LIMITS))).toBe(
      'missing-image',
    );
    expect(
      await kindOf(inspectImage(Buffer.from('{"image": "cat.png"}'), LIMITS)),
    ).toBe('not-an-image');
    expect(
      await kindOf(inspectImage(png, { ...LIMITS, maxBytes: png.length - 1 })),
    ).toBe('image-too-large');
    expect(
      await kindOf(inspectImage(png, { ...LIMITS, maxPixels: 320 * 200 - 1 })),
    ).toBe('too-many-pixels');
    expect(
      await kindOf(inspectImage(pngHeaderOnly(50_000, 50_000), LIMITS)),
    ).toBe('too-many-pixels');
    expect(await kindOf(inspectImage(png.subarray(0, 20), LIMITS))).toBe(
      'corrupt-image',
    );
  });
});
