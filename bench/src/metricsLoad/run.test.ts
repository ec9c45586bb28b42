import {
  burst,
  formatLevels,
  PANEL_REQUESTS,
  percentile,
  startRecordingProxy,
} from './run';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

describe('metrics-load benchmark', () => {
  it('asks each of the 5 panels in each of the 4 ranges', () => {
    expect(PANEL_REQUESTS).toHaveLength(20);
    expect(new Set(PANEL_REQUESTS.map(r => `${r.panel} ${r.range}`)).size).toBe(
      20,
    );
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('sends the whole burst at once, each request in turn, and counts failures', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const result = await burst(40, 2, async (r, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      seen.push(`${r.panel} ${r.range}`);
      await new Promise(done => setTimeout(done, 5));
      inFlight--;
      return i !== 0;
    });
    expect(most).toBe(40);
    expect(result.requests).toBe(80);
    expect(result.failed).toBe(2);
    expect(new Set(seen).size).toBe(20);
  });

  it('records the query_range calls passing through, and passes them on', async () => {
    const upstream = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r));
    const { port } = upstream.address() as AddressInfo;
    const proxy = await startRecordingProxy(`http://127.0.0.1:${port}`);
    try {
      const recorded = await proxy.record(async () => {
        const res = await fetch(`${proxy.baseUrl}/api/v1/query_range`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'query=up&step=15',
        });
        expect(await res.json()).toEqual({ path: '/api/v1/query_range' });
        await fetch(`${proxy.baseUrl}/api/v1/status/buildinfo`);
      });
      expect(recorded).toEqual([
        {
          path: '/api/v1/query_range',
          body: 'query=up&step=15',
          contentType: 'application/x-www-form-urlencoded',
        },
      ]);
    } finally {
      await proxy.stop();
      upstream.close();
    }
  });

  it('prints both sides and their ratios per level', () => {
    const side = (p50: number, p99: number) => ({
      requests: 400,
      failed: 0,
      p50,
      p99,
    });
    const text = formatLevels(2, [
      { concurrency: 200, backend: side(300, 900), prometheus: side(200, 600) },
    ]);
    expect(text).toMatch(
      /\|\s+200 \|\s+300 ms \|\s+900 ms \|\s+200 ms \|\s+600 ms \|\s+1.50 \|\s+1.50 \|\s+0\/0 \|/,
    );
  });
});
