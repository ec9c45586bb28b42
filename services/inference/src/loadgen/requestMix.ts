import {
  pngHeaderOnly,
  sceneImage,
  scratchedScene,
  STANDARD_MARKS,
  truncated,
} from '../samples/sampleImages';

/** One kind of request the load generator sends, with the status a healthy service answers. */
export interface RequestTemplate {
  name: string;
  valid: boolean;
  body?: Buffer;
  contentType?: string;
  expectedStatus: number;
}

/**
 * Valid PNGs and JPEGs of a few sizes, and the invalid uploads the service must refuse cheaply (no
 * body, text, a lying Content-Type, a truncated file, a decompression bomb). Over-size bodies are
 * left out: at a steady rate they would measure the network, not the service.
 */
export async function requestMix(): Promise<{
  valid: RequestTemplate[];
  invalid: RequestTemplate[];
}> {
  const scratched = await scratchedScene('png');
  const valid: RequestTemplate[] = [
    {
      name: 'png-640x480',
      valid: true,
      body: scratched,
      contentType: 'image/png',
      expectedStatus: 201,
    },
    {
      name: 'jpeg-640x480',
      valid: true,
      body: await scratchedScene('jpeg'),
      contentType: 'image/jpeg',
      expectedStatus: 201,
    },
    {
      name: 'jpeg-1280x960',
      valid: true,
      body: await sceneImage({
        width: 1280,
        height: 960,
        format: 'jpeg',
        marks: [
          ...STANDARD_MARKS,
          { x: 800, y: 600, width: 300, height: 20, shade: 20 },
        ],
      }),
      contentType: 'image/jpeg',
      expectedStatus: 201,
    },
    {
      name: 'png-clean-320x240',
      valid: true,
      body: await sceneImage({ width: 320, height: 240, format: 'png' }),
      contentType: 'image/png',
      expectedStatus: 201,
    },
  ];
  const invalid: RequestTemplate[] = [
    { name: 'no-body', valid: false, expectedStatus: 400 },
    {
      name: 'text-body',
      valid: false,
      body: Buffer.from('hello'),
      contentType: 'text/plain',
      expectedStatus: 415,
    },
    {
      name: 'text-as-png',
      valid: false,
      body: Buffer.from('this is not a png'),
      contentType: 'image/png',
      expectedStatus: 415,
    },
    {
      name: 'truncated-png',
      valid: false,
      body: truncated(scratched),
      contentType: 'image/png',
      expectedStatus: 422,
    },
    {
      name: 'pixel-bomb',
      valid: false,
      body: pngHeaderOnly(60_000, 60_000),
      contentType: 'image/png',
      expectedStatus: 413,
    },
  ];
  return { valid, invalid };
}
