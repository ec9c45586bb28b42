import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

/** A dark or light patch on the scene, standing in for a scratch or a dent. */
export interface Mark {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Grey level 0..255. */
  shade: number;
}

export interface SceneOptions {
  width: number;
  height: number;
  format: 'png' | 'jpeg';
  /** Grey level of the background. */
  background?: number;
  marks?: Mark[];
  /** EXIF orientation to record (JPEG only); the pixels are stored turned accordingly. */
  orientation?: number;
  /** Paint grain: every pixel moved by up to +-amplitude grey levels, the same for the same seed. */
  grain?: { amplitude: number; seed: number };
}

/** A small seeded generator (mulberry32): the same seed gives the same numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function withGrain(
  image: Sharp,
  grain: { amplitude: number; seed: number },
): Promise<Sharp> {
  const { data, info } = await image
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const random = seededRandom(grain.seed);
  for (let i = 0; i < data.length; i += info.channels) {
    const offset = Math.round((random() * 2 - 1) * grain.amplitude);
    for (let c = 0; c < info.channels; c++) {
      data[i + c] = Math.max(0, Math.min(255, data[i + c] + offset));
    }
  }
  return sharp(data, {
    raw: { width: info.width, height: info.height, channels: info.channels },
  });
}

function grey(level: number): string {
  const hex = Math.max(0, Math.min(255, Math.round(level)))
    .toString(16)
    .padStart(2, '0');
  return `#${hex}${hex}${hex}`;
}

/** A synthetic photo: a flat background with rectangular marks, encoded as PNG or JPEG. */
export async function sceneImage(options: SceneOptions): Promise<Buffer> {
  const marks = (options.marks ?? [])
    .map(
      m =>
        `<rect x="${m.x}" y="${m.y}" width="${m.width}" height="${
          m.height
        }" fill="${grey(m.shade)}"/>`,
    )
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${options.width}" height="${options.height}">` +
    `<rect width="100%" height="100%" fill="${grey(
      options.background ?? 176,
    )}"/>${marks}</svg>`;
  const image = options.grain
    ? await withGrain(sharp(Buffer.from(svg)), options.grain)
    : sharp(Buffer.from(svg));
  if (options.format === 'png') {
    return image.png().toBuffer();
  }
  if (!options.orientation) {
    return image.jpeg({ quality: 92 }).toBuffer();
  }
  // Store the pixels as a camera would: turned, with the EXIF tag that turns them back upright.
  const turnedBack: Record<number, number> = { 3: 180, 6: 270, 8: 90 };
  const upright = await image.png().toBuffer();
  return sharp(upright)
    .rotate(turnedBack[options.orientation] ?? 0)
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: options.orientation })
    .toBuffer();
}

/** The marks most samples carry: a dark scratch-like bar and a light patch, far apart. */
export const STANDARD_MARKS: Mark[] = [
  { x: 100, y: 80, width: 120, height: 40, shade: 48 },
  { x: 400, y: 300, width: 90, height: 90, shade: 240 },
];

/** The usual test picture: 640x480 with the standard marks. */
export function scratchedScene(format: 'png' | 'jpeg'): Promise<Buffer> {
  return sceneImage({ width: 640, height: 480, format, marks: STANDARD_MARKS });
}

function pngChunk(type: string, data: Buffer): Buffer {
  const name = Buffer.from(type, 'ascii');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([name, data])));
  return Buffer.concat([length, name, data, crc]);
}

/**
 * A tiny PNG whose header claims `width` x `height` but whose pixel data is a few empty bytes: readable
 * by a header reader, undecodable. How a decompression bomb announces itself.
 */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The first `fraction` of an encoded image: a valid signature and header, then nothing. */
export function truncated(image: Buffer, fraction = 0.5): Buffer {
  return image.subarray(0, Math.floor(image.length * fraction));
}
