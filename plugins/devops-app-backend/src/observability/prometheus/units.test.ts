import { buildPanelQueries, parseSelector } from './panels';
import { SharedQueryCache } from './SharedQueryCache';
import { resolveRange } from './timeRange';

describe('parseSelector', () => {
  it('accepts label matchers only', () => {
    expect(parseSelector('service="inference-service"')).toEqual([
      'service="inference-service"',
    ]);
    expect(parseSelector('service="a,b", team=~"ml.*"')).toEqual([
      'service="a,b"',
      'team=~"ml.*"',
    ]);
    expect(parseSelector('service="x"}) or up{job="y"')).toBeUndefined();
    expect(parseSelector('up')).toBeUndefined();
    expect(parseSelector('')).toBeUndefined();
  });
});

describe('buildPanelQueries', () => {
  it('joins the colour from model_info when split', () => {
    const [q] = buildPanelQueries('request_rate', {
      matchers: 'service="s",environment="dev"',
      window: '60s',
      splitByColour: true,
    });
    expect(q.expr).toBe(
      'sum by (colour) ((rate(http_request_duration_seconds_count{service="s",environment="dev"}[60s]) * on (instance) group_left (colour) max by (instance, colour) (model_info{service="s",environment="dev"})))',
    );
  });
});

describe('resolveRange', () => {
  it('aims at 250 points, aligned to the step, with a rate window of at least four scrapes', () => {
    const r = resolveRange({ range: '1h' }, 1_000_007, 15);
    expect(r.step).toBe(15);
    expect(r.end).toBe(1_000_005);
    expect(r.end - r.start).toBe(3600);
    expect(r.window).toBe(60);
    expect(resolveRange({ range: '7d' }, 1_000_000_000, 15).step).toBe(2420);
  });

  it('refuses more than 30 days and an end before the start', () => {
    expect(() => resolveRange({ start: 0, end: 31 * 86400 }, 0, 15)).toThrow(
      /at most 30 days/,
    );
    expect(() => resolveRange({ start: 10, end: 5 }, 0, 15)).toThrow(
      /end must be after start/,
    );
    expect(() => resolveRange({}, 0, 15)).toThrow(/^range:/);
  });
});

describe('SharedQueryCache', () => {
  it('shares a query in flight, keeps its result for the ttl, never keeps a failure', async () => {
    let now = 0;
    const cache = new SharedQueryCache<number>({
      maxEntries: 10,
      now: () => now,
    });
    let calls = 0;
    let release: (v: number) => void = () => {};
    const load = () =>
      new Promise<number>(r => {
        calls++;
        release = r;
      });
    const a = cache.get('k', 1000, load);
    const b = cache.get('k', 1000, load);
    release(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    expect(calls).toBe(1);
    now = 999;
    expect(await cache.get('k', 1000, async () => 8)).toBe(7);
    now = 1000;
    expect(await cache.get('k', 1000, async () => 8)).toBe(8);

    await expect(
      cache.get('f', 1000, async () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect(await cache.get('f', 1000, async () => 9)).toBe(9);
  });

  it('evicts the oldest entry when full', async () => {
    const cache = new SharedQueryCache<number>({ maxEntries: 2, now: () => 0 });
    await cache.get('a', 1000, async () => 1);
    await cache.get('b', 1000, async () => 2);
    await cache.get('c', 1000, async () => 3);
    expect(await cache.get('a', 1000, async () => 10)).toBe(10);
    expect(await cache.get('c', 1000, async () => 30)).toBe(3);
  });
});
