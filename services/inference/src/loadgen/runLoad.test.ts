import {
  InProcessService,
  startInProcessService,
} from '../launch/inProcessService';
import { requestMix } from './requestMix';
import { runLoad, templateAt } from './runLoad';

jest.setTimeout(60_000);

describe('templateAt', () => {
  it('spreads invalid requests evenly at the ratio and cycles through each group', async () => {
    const templates = await requestMix();
    const picked = Array.from({ length: 100 }, (_, i) =>
      templateAt(i, 0.2, templates),
    );
    expect(picked.filter(t => !t.valid)).toHaveLength(20);
    expect(new Set(picked.map(t => t.name)).size).toBe(
      templates.valid.length + templates.invalid.length,
    );
    expect(
      Array.from({ length: 10 }, (_, i) => templateAt(i, 0, templates).valid),
    ).not.toContain(false);
  });
});

describe('runLoad against the service', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('sends the mix at the requested rate and reports every answer as expected', async () => {
    const report = await runLoad({
      baseUrl: service.baseUrl,
      rps: 10,
      seconds: 2,
      concurrency: 8,
      invalidRatio: 0.3,
    });
    expect(report.mode).toBe('open');
    // 10 per second for 2 s: 20 ticks, however busy the machine.
    expect(report.sent + report.skipped).toBe(20);
    expect(report.completed).toBe(report.sent);
    expect(report.unexpected).toBe(0);
    expect(report.network_errors).toBe(0);
    expect(report.invalid.sent).toBeGreaterThan(0);
    expect(report.invalid.as_expected).toBe(report.invalid.sent);
    expect(report.valid.as_expected).toBe(report.valid.sent);
    expect(report.statuses['201']).toBe(report.valid.sent);
    const { valid } = report.latency_ms;
    expect(valid.count).toBe(report.valid.sent);
    expect(valid.p50).toBeGreaterThan(0);
    expect(valid.p50).toBeLessThanOrEqual(valid.p99);
    expect(valid.p99).toBeLessThanOrEqual(valid.max);

    // Every valid request stored a prediction; the invalid ones stored nothing.
    const results = (await service.blobNames()).filter(name =>
      name.endsWith('/result.json'),
    );
    expect(results).toHaveLength(report.valid.sent);
  });

  it('runs a closed loop until stopped and counts network errors when the service is gone', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1_000);
    const closed = await runLoad({
      baseUrl: service.baseUrl,
      seconds: 0,
      concurrency: 2,
      invalidRatio: 0,
      signal: stop.signal,
    });
    expect(closed.mode).toBe('closed');
    expect(closed.completed).toBeGreaterThan(0);
    expect(closed.invalid.sent).toBe(0);

    const nowhere = await runLoad({
      baseUrl: 'http://127.0.0.1:1',
      rps: 20,
      seconds: 0.5,
      concurrency: 4,
      invalidRatio: 0,
    });
    expect(nowhere.network_errors).toBe(nowhere.sent);
    expect(nowhere.error_samples[0]).toContain('ECONNREFUSED');
  });
});
