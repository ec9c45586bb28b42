import { drawRegions } from '../model/annotate';
import { detect } from '../model/detector';
import {
  pngHeaderOnly,
  sceneImage,
  scratchedScene,
  truncated,
} from '../samples/sampleImages';
import {
  InProcessService,
  startInProcessService,
} from '../launch/inProcessService';

jest.setTimeout(60_000);

const MAX_IMAGE_BYTES = 300 * 1024;
const MAX_IMAGE_PIXELS = 1_000_000;

let service: InProcessService;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  service = await startInProcessService({
    maxImageBytes: MAX_IMAGE_BYTES,
    maxImagePixels: MAX_IMAGE_PIXELS,
    modelVersion: 'edge-anomaly-test',
    rolloutColour: 'green',
  });
  png = await scratchedScene('png');
  jpeg = await scratchedScene('jpeg');
});

afterAll(async () => {
  await service?.close();
});

function post(
  body: BodyInit | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${service.baseUrl}/v1/predictions`, {
    method: 'POST',
    body,
    headers,
  });
}

function multipart(image: Buffer, type: string, field = 'image'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(image)], { type }), 'upload');
  return form;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${service.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample of the exposition, 0 when the series is absent. */
function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find(l => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('prediction round trip', () => {
  it('stores a raw PNG upload and serves the result and the treated image back', async () => {
    const response = await post(new Uint8Array(png), {
      'content-type': 'image/png',
    });
    expect(response.status).toBe(201);
    const result = await response.json();
    expect(response.headers.get('location')).toBe(
      `/v1/predictions/${result.id}`,
    );
    expect(result).toMatchObject({
      model_version: 'edge-anomaly-test',
      image: { format: 'png', width: 640, height: 480, bytes: png.length },
      treated_image: {
        container: 'treated-images',
        blob_name: `predictions/${result.id}/treated.png`,
        content_type: 'image/png',
      },
    });
    expect(result.treated_image.url).toBe(
      `http://127.0.0.1:${service.azurite.port}/devopsapp/treated-images/predictions/${result.id}/treated.png`,
    );
    expect(result.regions).toHaveLength(2);
    for (const key of ['inspect', 'inference', 'annotate', 'upload', 'total']) {
      expect(result.timings_ms[key]).toBeGreaterThan(0);
    }
    expect(result.timings_ms.total).toBeGreaterThanOrEqual(
      result.timings_ms.inference,
    );

    // The same computation done here gives the same regions and the same bytes.
    const detection = await detect(
      png,
      { width: 640, height: 480 },
      MAX_IMAGE_PIXELS,
    );
    expect(result.regions).toEqual(detection.regions);
    const expected = await drawRegions(png, 'png', detection, MAX_IMAGE_PIXELS);

    const stored = await fetch(
      `${service.baseUrl}/v1/predictions/${result.id}`,
    );
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual(result);

    const image = await fetch(
      `${service.baseUrl}/v1/predictions/${result.id}/image`,
    );
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const served = Buffer.from(await image.arrayBuffer());
    const inBlob = await service.blobs
      .getContainerClient('treated-images')
      .getBlobClient(result.treated_image.blob_name)
      .downloadToBuffer();
    expect(served.equals(inBlob)).toBe(true);
    expect(served.equals(expected.data)).toBe(true);
    expect(served.length).toBe(result.treated_image.bytes);
    expect(served.equals(png)).toBe(false);
  });

  it('accepts a JPEG as a multipart file field and keeps its format', async () => {
    const response = await post(multipart(jpeg, 'image/jpeg'));
    expect(response.status).toBe(201);
    const result = await response.json();
    expect(result.image.format).toBe('jpeg');
    expect(result.treated_image.content_type).toBe('image/jpeg');
    expect(result.regions.length).toBeGreaterThan(0);
    const image = await fetch(
      `${service.baseUrl}/v1/predictions/${result.id}/image`,
    );
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const served = Buffer.from(await image.arrayBuffer());
    expect(served.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await service.blobNames()).toEqual(
      expect.arrayContaining([
        `predictions/${result.id}/treated.jpg`,
        `predictions/${result.id}/result.json`,
      ]),
    );
  });

  it('echoes the caller request id, or makes one up', async () => {
    const echoed = await post(new Uint8Array(png), {
      'content-type': 'image/png',
      'x-request-id': 'portal-check-42',
    });
    expect(echoed.headers.get('x-request-id')).toBe('portal-check-42');
    const made = await fetch(`${service.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ['no body', () => post(undefined), 400, 'missing_image'],
    [
      'an empty image body',
      () => post(new Uint8Array(0), { 'content-type': 'image/png' }),
      400,
      'missing_image',
    ],
    [
      'a multipart form without a file',
      () => {
        const form = new FormData();
        form.append('note', 'no file here');
        return post(form);
      },
      400,
      'missing_image',
    ],
    [
      'a text body',
      () => post('hello', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    [
      'a JSON body',
      () => post('{"image":"x"}', { 'content-type': 'application/json' }),
      415,
      'unsupported_media_type',
    ],
    [
      'text labelled as a PNG',
      () => post('definitely not a png', { 'content-type': 'image/png' }),
      415,
      'not_an_image',
    ],
    [
      'a text file in a form',
      () => post(multipart(Buffer.from('plain text'), 'text/plain')),
      415,
      'not_an_image',
    ],
    [
      'a truncated PNG',
      () =>
        post(new Uint8Array(truncated(png)), { 'content-type': 'image/png' }),
      422,
      'corrupt_image',
    ],
    [
      'a truncated JPEG in a form',
      () => post(multipart(truncated(jpeg, 0.6), 'image/jpeg')),
      422,
      'corrupt_image',
    ],
    [
      'a PNG header with no pixels',
      () =>
        post(new Uint8Array(pngHeaderOnly(200, 200)), {
          'content-type': 'image/png',
        }),
      422,
      'corrupt_image',
    ],
    [
      'a raw body over the size limit',
      () =>
        post(new Uint8Array(MAX_IMAGE_BYTES + 1), {
          'content-type': 'image/png',
        }),
      413,
      'image_too_large',
    ],
    [
      'a file over the size limit',
      () => post(multipart(Buffer.alloc(MAX_IMAGE_BYTES + 1), 'image/png')),
      413,
      'image_too_large',
    ],
    [
      'an image over the pixel limit',
      async () => {
        const big = await sceneImage({
          width: 1200,
          height: 900,
          format: 'png',
        });
        return post(new Uint8Array(big), { 'content-type': 'image/png' });
      },
      413,
      'too_many_pixels',
    ],
    [
      'a decompression bomb',
      () =>
        post(new Uint8Array(pngHeaderOnly(60_000, 60_000)), {
          'content-type': 'image/png',
        }),
      413,
      'too_many_pixels',
    ],
  ];

  it.each(cases)(
    '%s gets a named 4xx and leaves nothing in storage',
    async (_name, send, status, code) => {
      const before = await service.blobNames();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain(
        'application/json',
      );
      const body = await response.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
      expect(body.request_id).toBe(response.headers.get('x-request-id'));
      expect(await service.blobNames()).toEqual(before);
    },
  );

  it('answers 404 for an unknown prediction id and 400 for a malformed one', async () => {
    const unknown = '0b0f6a9e-7a57-4e21-9d7e-1b2c3d4e5f60';
    for (const path of [
      `/v1/predictions/${unknown}`,
      `/v1/predictions/${unknown}/image`,
    ]) {
      const response = await fetch(`${service.baseUrl}${path}`);
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe('prediction_not_found');
    }
    const malformed = await fetch(
      `${service.baseUrl}/v1/predictions/..%2Fsecret`,
    );
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('invalid_prediction_id');
    const route = await fetch(`${service.baseUrl}/v2/nothing`);
    expect(route.status).toBe(404);
    expect((await route.json()).error.code).toBe('route_not_found');
  });
});

describe('health', () => {
  it('is alive and ready while Azurite answers', async () => {
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      model: {
        version: 'edge-anomaly-test',
        source: 'built-in',
        requested_version: 'edge-anomaly-test',
      },
    });
  });
});

describe('metrics', () => {
  it('exposes the service metrics and counts each request', async () => {
    const before = await scrape();
    expect(before).toContain(
      'model_info{version="edge-anomaly-test",colour="green"} 1',
    );
    expect(before).toMatch(/^process_cpu_user_seconds_total /m);
    expect(before).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(before).toContain('# TYPE inference_duration_seconds histogram');
    expect(before).toContain('# TYPE blob_upload_duration_seconds histogram');

    const success = 'predictions_total{outcome="success"}';
    const rejected = 'predictions_total{outcome="rejected"}';
    const created =
      'http_request_duration_seconds_count{method="POST",route="/v1/predictions",status="201"}';
    const unsupported =
      'http_request_duration_seconds_count{method="POST",route="/v1/predictions",status="415"}';
    const fetched =
      'http_request_duration_seconds_count{method="GET",route="/v1/predictions/:id",status="200"}';

    const first = await (
      await post(new Uint8Array(png), { 'content-type': 'image/png' })
    ).json();
    await post(new Uint8Array(png), { 'content-type': 'image/png' });
    await post('not an image', { 'content-type': 'text/plain' });
    await fetch(`${service.baseUrl}/v1/predictions/${first.id}`);

    const after = await scrape();
    expect(sample(after, success) - sample(before, success)).toBe(2);
    expect(sample(after, rejected) - sample(before, rejected)).toBe(1);
    expect(sample(after, created) - sample(before, created)).toBe(2);
    expect(sample(after, unsupported) - sample(before, unsupported)).toBe(1);
    expect(sample(after, fetched) - sample(before, fetched)).toBe(1);
    expect(
      sample(after, 'inference_duration_seconds_count') -
        sample(before, 'inference_duration_seconds_count'),
    ).toBe(2);
    expect(
      sample(after, 'blob_upload_duration_seconds_count') -
        sample(before, 'blob_upload_duration_seconds_count'),
    ).toBe(2);
    expect(sample(after, 'inference_duration_seconds_sum')).toBeGreaterThan(
      sample(before, 'inference_duration_seconds_sum'),
    );
    expect(
      sample(after, 'predictions_total{outcome="storage_unavailable"}'),
    ).toBe(0);
  });
});

describe('logs', () => {
  it('puts the request id on every line a request writes', async () => {
    const first = service.logs.length;
    const response = await post(new Uint8Array(png), {
      'content-type': 'image/png',
      'x-request-id': 'trace-me-1',
    });
    expect(response.status).toBe(201);
    await post('nope', {
      'content-type': 'image/png',
      'x-request-id': 'trace-me-2',
    });
    await new Promise(resolve => setImmediate(resolve));

    const lines = service.logs.slice(first);
    const ofFirst = lines.filter(l => l.request_id === 'trace-me-1');
    expect(ofFirst.map(l => l.msg)).toEqual([
      'incoming request',
      'prediction stored',
      'request completed',
    ]);
    const ofSecond = lines.filter(l => l.request_id === 'trace-me-2');
    expect(ofSecond.map(l => l.msg)).toEqual([
      'incoming request',
      expect.stringContaining('not a PNG or JPEG'),
      'request completed',
    ]);
    expect(lines.every(l => typeof l.request_id === 'string')).toBe(true);
    for (const line of lines) {
      expect(line).toMatchObject({
        service: 'inference-service',
        level: expect.any(String),
        time: expect.any(String),
      });
    }
  });
});
