import { DEFAULT_REGION_SEARCH, edgeStrength, findRegions } from './regions';

function grid(width: number, height: number, background: number): Uint8Array {
  return new Uint8Array(width * height).fill(background);
}

function paint(
  pixels: Uint8Array,
  width: number,
  box: { x: number; y: number; width: number; height: number },
  level: number,
): void {
  for (let y = box.y; y < box.y + box.height; y++) {
    pixels.fill(level, y * width + box.x, y * width + box.x + box.width);
  }
}

describe('findRegions', () => {
  it('finds nothing on a flat grid', () => {
    expect(findRegions(grid(64, 64, 120), 64, 64)).toEqual([]);
  });

  it('finds nothing on a gentle gradient (no edge above the floor)', () => {
    const pixels = new Uint8Array(100 * 100);
    for (let i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 100) * 2;
    }
    expect(findRegions(pixels, 100, 100)).toEqual([]);
  });

  it('boxes a single mark tightly and scores it high', () => {
    const pixels = grid(100, 80, 180);
    paint(pixels, 100, { x: 30, y: 20, width: 25, height: 15 }, 40);
    const regions = findRegions(pixels, 100, 80);
    expect(regions).toHaveLength(1);
    const [region] = regions;
    // Sobel responds on both sides of a step, so the box hugs the mark within a pixel.
    expect(region.x).toBeGreaterThanOrEqual(28);
    expect(region.x).toBeLessThanOrEqual(30);
    expect(region.y).toBeGreaterThanOrEqual(18);
    expect(region.y).toBeLessThanOrEqual(20);
    expect(region.x + region.width).toBeGreaterThanOrEqual(55);
    expect(region.x + region.width).toBeLessThanOrEqual(57);
    expect(region.y + region.height).toBeGreaterThanOrEqual(35);
    expect(region.y + region.height).toBeLessThanOrEqual(37);
    expect(region.score).toBeGreaterThan(0.9);
    expect(region.score).toBeLessThanOrEqual(1);
  });

  it('keeps separate marks apart and ranks the stronger one first', () => {
    const pixels = grid(160, 100, 128);
    paint(pixels, 160, { x: 10, y: 10, width: 30, height: 30 }, 188); // faint
    paint(pixels, 160, { x: 100, y: 50, width: 30, height: 30 }, 0); // strong
    const regions = findRegions(pixels, 160, 100);
    expect(regions).toHaveLength(2);
    expect(regions[0].x).toBeGreaterThan(90);
    expect(regions[1].x).toBeLessThan(20);
    expect(regions[0].score).toBeGreaterThan(regions[1].score);
  });

  it('ignores specks smaller than the minimum edge support', () => {
    const pixels = grid(64, 64, 200);
    pixels[32 * 64 + 32] = 0;
    expect(
      findRegions(pixels, 64, 64, {
        ...DEFAULT_REGION_SEARCH,
        minEdgePixels: 12,
      }),
    ).toEqual([]);
  });

  it('is deterministic', () => {
    const pixels = grid(120, 120, 90);
    paint(pixels, 120, { x: 5, y: 60, width: 50, height: 8 }, 250);
    paint(pixels, 120, { x: 70, y: 10, width: 20, height: 40 }, 10);
    expect(findRegions(pixels, 120, 120)).toEqual(
      findRegions(pixels.slice(), 120, 120),
    );
  });

  it('caps the number of regions', () => {
    const pixels = grid(200, 200, 128);
    for (let i = 0; i < 5; i++) {
      paint(pixels, 200, { x: 10 + i * 38, y: 10, width: 20, height: 20 }, 0);
    }
    expect(findRegions(pixels, 200, 200)).toHaveLength(5);
    expect(
      findRegions(pixels, 200, 200, {
        ...DEFAULT_REGION_SEARCH,
        maxRegions: 3,
      }),
    ).toHaveLength(3);
  });
});

describe('edgeStrength', () => {
  it('is zero on flat ground and four times the step across a vertical edge', () => {
    const pixels = grid(5, 3, 0);
    for (let y = 0; y < 3; y++) {
      pixels[y * 5 + 3] = 100;
      pixels[y * 5 + 4] = 100;
    }
    const magnitude = edgeStrength(pixels, 5, 3);
    expect(magnitude[1 * 5 + 1]).toBe(0);
    expect(magnitude[1 * 5 + 2]).toBe(400);
    expect(magnitude[1 * 5 + 3]).toBe(400);
  });
});
