import { runInstrumentationBench } from './run';

jest.setTimeout(120_000);

describe('runInstrumentationBench', () => {
  it('measures both sides against the real service and Azurite', async () => {
    const lines: string[] = [];
    const result = await runInstrumentationBench({
      seconds: 1,
      rounds: 2,
      warmupSeconds: 0.5,
      concurrency: 2,
      progress: line => lines.push(line),
    });
    expect(result.rounds.map(r => r.side)).toEqual(['on', 'off', 'off', 'on']);
    for (const round of result.rounds) {
      expect(round.completed).toBeGreaterThan(0);
      expect(round.failed).toBe(0);
      expect(round.p99Ms).toBeGreaterThan(0);
      expect(round.cpuMsPerRequest).toBeGreaterThan(0);
    }
    expect(result.comparison.throughputRatio).toBeGreaterThan(0);
    expect(result.comparison.p99Ratio).toBeGreaterThan(0);
    expect(result.comparison.cpuPerRequestRatio).toBeGreaterThan(0);
    // The "on" side really traced: dd-trace shipped payloads to the stand-in agent.
    expect(result.tracePayloads).toBeGreaterThan(0);
    expect(lines[0]).toBe('building the service');
  });
});
