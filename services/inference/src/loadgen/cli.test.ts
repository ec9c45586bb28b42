import { formatReport, parseCli } from './cli';
import { percentile, summarize } from './stats';

describe('parseCli', () => {
  it('has defaults for a quick closed-loop run', () => {
    expect(parseCli([])).toEqual({
      baseUrl: 'http://127.0.0.1:8000',
      rps: undefined,
      seconds: 10,
      concurrency: 8,
      invalidRatio: 0.2,
      json: false,
      waitReadySeconds: 0,
    });
  });

  it('reads the documented options', () => {
    expect(
      parseCli([
        '--rps',
        '5',
        '--seconds',
        '0',
        '--url',
        'http://svc:9000/',
        '--concurrency',
        '3',
        '--invalid-ratio',
        '0.5',
        '--json',
        '--wait-ready',
        '60',
      ]),
    ).toEqual({
      baseUrl: 'http://svc:9000',
      rps: 5,
      seconds: 0,
      concurrency: 3,
      invalidRatio: 0.5,
      json: true,
      waitReadySeconds: 60,
    });
  });

  it.each([
    [['--rps', 'fast'], /--rps/],
    [['--rps', '0'], /--rps/],
    [['--seconds', '-1'], /--seconds/],
    [['--invalid-ratio', '2'], /--invalid-ratio/],
    [['--concurrency', '0'], /--concurrency/],
    [['--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBe(0);
  });

  it('summarizes unsorted latencies', () => {
    expect(summarize([30, 10, 20, 40])).toEqual({
      count: 4,
      mean: 25,
      p50: 20,
      p90: 40,
      p95: 40,
      p99: 40,
      max: 40,
    });
  });
});

describe('formatReport', () => {
  it('names throughput, percentiles and errors', () => {
    const text = formatReport({
      mode: 'open',
      target_rps: 5,
      concurrency: 8,
      duration_s: 10,
      sent: 50,
      completed: 49,
      throughput_rps: 4.9,
      latency_ms: { valid: summarize([10, 20]), invalid: summarize([1]) },
      statuses: { '201': 40, '415': 9, network: 1 },
      valid: { sent: 40, as_expected: 40 },
      invalid: { sent: 10, as_expected: 9 },
      unexpected: 0,
      network_errors: 1,
      skipped: 0,
      error_samples: ['ECONNRESET'],
    });
    expect(text).toContain('throughput 4.9 req/s');
    expect(text).toContain('p99 20 ms');
    expect(text).toContain(
      '0 unexpected answers, 1 network errors (ECONNRESET)',
    );
  });
});
