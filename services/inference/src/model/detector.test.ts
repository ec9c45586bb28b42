import sharp from 'sharp';
import { sceneImage, STANDARD_MARKS } from '../samples/sampleImages';
import { drawRegions } from './annotate';
import { detect } from './detector';

const UPRIGHT = { width: 640, height: 480 };
const MAX_PIXELS = 40_000_000;

function covers(
  box: { x: number; y: number; width: number; height: number },
  mark: { x: number; y: number; width: number; height: number },
  slack: number,
): boolean {
  return (
    box.x <= mark.x + slack &&
    box.y <= mark.y + slack &&
    box.x + box.width >= mark.x + mark.width - slack &&
    box.y + box.height >= mark.y + mark.height - slack &&
    box.width <= mark.width + 4 * slack &&
    box.height <= mark.height + 4 * slack
  );
}

describe('detect', () => {
  it('finds each mark of a PNG, in image coordinates', async () => {
    const image = await sceneImage({
      ...UPRIGHT,
      format: 'png',
      marks: STANDARD_MARKS,
    });
    const detection = await detect(image, UPRIGHT, MAX_PIXELS);
    expect(detection.regions).toHaveLength(STANDARD_MARKS.length);
    for (const mark of STANDARD_MARKS) {
      expect(detection.regions.some(r => covers(r.box, mark, 6))).toBe(true);
    }
    for (const region of detection.regions) {
      expect(region.label).toBe('anomaly');
      expect(region.score).toBeGreaterThan(0.5);
    }
  });

  it('finds nothing on a clean image', async () => {
    const image = await sceneImage({ ...UPRIGHT, format: 'jpeg' });
    expect((await detect(image, UPRIGHT, MAX_PIXELS)).regions).toEqual([]);
  });

  it('reports boxes on the upright image when the JPEG carries an EXIF orientation', async () => {
    const image = await sceneImage({
      ...UPRIGHT,
      format: 'jpeg',
      marks: STANDARD_MARKS,
      orientation: 6,
    });
    const stored = await sharp(image).metadata();
    expect([stored.width, stored.height, stored.orientation]).toEqual([
      480, 640, 6,
    ]);
    const detection = await detect(image, UPRIGHT, MAX_PIXELS);
    for (const mark of STANDARD_MARKS) {
      expect(detection.regions.some(r => covers(r.box, mark, 8))).toBe(true);
    }
  });

  it('gives the same regions and the same treated bytes for the same image', async () => {
    const image = await sceneImage({
      ...UPRIGHT,
      format: 'png',
      marks: STANDARD_MARKS,
    });
    const first = await detect(image, UPRIGHT, MAX_PIXELS);
    const second = await detect(Buffer.from(image), UPRIGHT, MAX_PIXELS);
    expect(second).toEqual(first);
    const treatedFirst = await drawRegions(image, 'png', first, MAX_PIXELS);
    const treatedSecond = await drawRegions(image, 'png', second, MAX_PIXELS);
    expect(treatedSecond.data.equals(treatedFirst.data)).toBe(true);
  });

  it('draws the regions onto the treated image', async () => {
    const image = await sceneImage({
      ...UPRIGHT,
      format: 'png',
      marks: STANDARD_MARKS,
    });
    const detection = await detect(image, UPRIGHT, MAX_PIXELS);
    const treated = await drawRegions(image, 'png', detection, MAX_PIXELS);
    expect(treated.contentType).toBe('image/png');
    const { data, info } = await sharp(treated.data)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([640, 480]);
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    // On the frame of the first region: the mark colour; far from any region: the untouched background.
    const box = detection.regions[0].box;
    const [r, g, b] = pixel(box.x + 1, box.y + Math.floor(box.height / 2));
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
    expect(pixel(20, 460)).toEqual([176, 176, 176]);
  });

  it('rejects pixels it cannot decode', async () => {
    const image = await sceneImage({
      ...UPRIGHT,
      format: 'png',
      marks: STANDARD_MARKS,
    });
    await expect(
      detect(image.subarray(0, image.length / 2), UPRIGHT, MAX_PIXELS),
    ).rejects.toThrow();
  });
});
