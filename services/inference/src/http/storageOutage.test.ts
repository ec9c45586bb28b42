import { sceneImage, STANDARD_MARKS } from '../samples/sampleImages';
import {
  InProcessService,
  startInProcessService,
} from '../launch/inProcessService';

jest.setTimeout(60_000);

let service: InProcessService;

beforeAll(async () => {
  service = await startInProcessService();
});

afterAll(async () => {
  await service?.close();
});

describe('when blob storage goes away', () => {
  it('answers 503 to predictions, fails readiness, stays alive, and counts the outcome', async () => {
    const png = await sceneImage({
      width: 320,
      height: 240,
      format: 'png',
      marks: STANDARD_MARKS.slice(0, 1),
    });
    expect((await fetch(`${service.baseUrl}/readyz`)).status).toBe(200);
    const stored = await fetch(`${service.baseUrl}/v1/predictions`, {
      method: 'POST',
      body: new Uint8Array(png),
      headers: { 'content-type': 'image/png' },
    });
    expect(stored.status).toBe(201);
    const { id } = await stored.json();

    await service.azurite.stop();

    const started = Date.now();
    const response = await fetch(`${service.baseUrl}/v1/predictions`, {
      method: 'POST',
      body: new Uint8Array(png),
      headers: { 'content-type': 'image/png' },
    });
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.error.code).toBe('storage_unavailable');
    expect(body.error.message).toContain(
      'blob storage could not store the treated image',
    );
    // A few quick retries, not the SDK's default minute of back-off.
    expect(Date.now() - started).toBeLessThan(10_000);

    const result = await fetch(`${service.baseUrl}/v1/predictions/${id}`);
    expect(result.status).toBe(503);

    const ready = await fetch(`${service.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not_ready',
      reason: expect.stringContaining('treated-images'),
    });
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);

    // Bad input is still refused as bad input, before storage is involved.
    const bad = await fetch(`${service.baseUrl}/v1/predictions`, {
      method: 'POST',
    });
    expect(bad.status).toBe(400);

    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toContain(
      'predictions_total{outcome="storage_unavailable"} 1',
    );
    expect(metrics).toContain('predictions_total{outcome="success"} 1');
  });
});
