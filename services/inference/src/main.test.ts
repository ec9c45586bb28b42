import { request } from 'node:http';
import { Azurite, startAzurite } from './local/azurite';
import { scratchedScene } from './samples/sampleImages';
import {
  buildService,
  freePort,
  ServiceProcess,
  startServiceProcess,
} from './launch/serviceProcess';

// These tests run the compiled service as its own process, as the container does, so dd-trace is
// loaded first and instruments the real modules. No Datadog agent: a free port stands in for it.
jest.setTimeout(120_000);

let azurite: Azurite;
let png: Buffer;

beforeAll(async () => {
  await buildService();
  azurite = await startAzurite();
  png = await scratchedScene('png');
});

afterAll(async () => {
  await azurite?.stop();
});

async function tracedService(): Promise<ServiceProcess> {
  return startServiceProcess({
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    DD_ENV: 'test',
    DD_SERVICE: 'inference-service',
    DD_VERSION: '1.2.3',
    DD_AGENT_HOST: '127.0.0.1',
    DD_TRACE_AGENT_PORT: String(await freePort()),
    ROLLOUT_COLOUR: 'blue',
  });
}

function predict(
  baseUrl: string,
  body: Buffer | string,
  requestId: string,
): Promise<Response> {
  return fetch(`${baseUrl}/v1/predictions`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': 'image/png', 'x-request-id': requestId },
  });
}

describe('the service process with tracing on and no agent', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await tracedService();
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
  });

  it('writes request_id and the trace ids on every line of every request', async () => {
    const startedAt = service.logs.length;
    const responses = await Promise.all([
      predict(service.baseUrl, png, 'req-a'),
      predict(service.baseUrl, png, 'req-b'),
      predict(service.baseUrl, 'garbage', 'req-c'),
    ]);
    expect(responses.map(r => r.status)).toEqual([201, 201, 415]);
    expect(responses.map(r => r.headers.get('x-request-id'))).toEqual([
      'req-a',
      'req-b',
      'req-c',
    ]);
    await new Promise(resolve => setTimeout(resolve, 200));

    const lines = service.logs.slice(startedAt);
    expect(lines.length).toBeGreaterThanOrEqual(9);
    const traceIds = new Set<string>();
    for (const requestId of ['req-a', 'req-b', 'req-c']) {
      const ofRequest = lines.filter(l => l.request_id === requestId);
      expect(ofRequest.length).toBeGreaterThanOrEqual(3);
      const ids = ofRequest.map(
        l => l.dd as Record<string, string> | undefined,
      );
      for (const dd of ids) {
        expect(dd).toEqual({
          trace_id: expect.stringMatching(/^[0-9a-f]+$/),
          span_id: expect.stringMatching(/^\d+$/),
          service: 'inference-service',
          env: 'test',
          version: '1.2.3',
        });
      }
      // One request, one trace.
      expect(new Set(ids.map(dd => dd?.trace_id)).size).toBe(1);
      traceIds.add(ids[0]!.trace_id);
    }
    expect(traceIds.size).toBe(3);
    // Nothing written while serving lacks a request id.
    expect(lines.filter(l => !l.request_id)).toEqual([]);
  });

  it('keeps quiet and keeps serving while traces cannot be delivered', async () => {
    // dd-trace flushes every 2 s: give it a few failed deliveries.
    for (let i = 0; i < 6; i++) {
      expect((await predict(service.baseUrl, png, `quiet-${i}`)).status).toBe(
        201,
      );
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200);
    expect(service.otherOutput).toEqual([]);
    expect(
      service.logs.filter(l => l.level === 'error' || l.level === 'warn'),
    ).toEqual([]);
  });
});

describe('the service process with instrumentation off', () => {
  it('serves predictions without metrics, trace ids or request logs', async () => {
    const service = await startServiceProcess({
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      DD_TRACE_ENABLED: 'false',
      METRICS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
    });
    try {
      expect((await predict(service.baseUrl, png, 'off-1')).status).toBe(201);
      expect((await fetch(`${service.baseUrl}/metrics`)).status).toBe(404);
      expect(service.logs).toEqual([]);
    } finally {
      await service.stop('SIGKILL');
    }
  });
});

describe('shutdown', () => {
  it('drains a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const service = await tracedService();
    const { port } = new URL(service.baseUrl);

    const response = new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/predictions',
            headers: {
              'content-type': 'image/png',
              'content-length': png.length,
              'x-request-id': 'in-flight',
            },
          },
          res => {
            let body = '';
            res.on('data', chunk => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        // Half the upload now, SIGTERM, the rest later: the request is in flight across the signal.
        req.write(png.subarray(0, png.length / 2));
        setTimeout(() => {
          service.child.kill('SIGTERM');
          setTimeout(() => req.end(png.subarray(png.length / 2)), 500);
        }, 200);
      },
    );

    await new Promise(resolve => setTimeout(resolve, 450));
    await expect(fetch(`${service.baseUrl}/healthz`)).rejects.toThrow();

    const { status, body } = await response;
    const answeredAt = Date.now();
    expect(status).toBe(201);
    expect(JSON.parse(body).regions.length).toBeGreaterThan(0);
    expect(await service.exited).toEqual({ code: 0, signal: null });
    // The kept-alive connection is hung up after the answer, not left to hold the exit open.
    expect(Date.now() - answeredAt).toBeLessThan(3_000);
    const messages = service.logs.map(l => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'shutting down: draining requests in flight',
        'stopped',
      ]),
    );
    expect(messages.indexOf('stopped')).toBeGreaterThan(
      messages.indexOf('shutting down: draining requests in flight'),
    );
    expect(messages.indexOf('stopped')).toBeGreaterThan(
      service.logs.findIndex(
        l => l.request_id === 'in-flight' && l.msg === 'request completed',
      ),
    );
  });

  it('gives up on a request that outlasts SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const service = await startServiceProcess({
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      DD_TRACE_ENABLED: 'false',
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const { port } = new URL(service.baseUrl);
    const stuck = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/predictions',
      headers: { 'content-type': 'image/png', 'content-length': png.length },
    });
    stuck.on('error', () => undefined);
    // Half an upload that never finishes.
    stuck.write(png.subarray(0, png.length / 2));
    await new Promise(resolve => setTimeout(resolve, 200));

    const signalled = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(900);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(service.logs.map(l => l.msg)).toContain(
      'requests still in flight at the shutdown deadline',
    );
    stuck.destroy();
  });
});
