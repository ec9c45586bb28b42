import { mockServices } from '@backstage/backend-test-utils';
import { recordingSignals } from './__testUtils__/sandbox';
import {
  LOG_SIGNAL_INTERVAL_MS,
  TerraformRunSignals,
} from './TerraformRunSignals';

describe('TerraformRunSignals', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('announces a state change on the run, the environment list and the full list', async () => {
    const { signals, published } = recordingSignals();
    const runSignals = new TerraformRunSignals({
      signals,
      logger: mockServices.logger.mock(),
    });
    await runSignals.runChanged({
      runId: 'r1',
      environment: 'load-test',
      status: 'running',
      stack: 'cluster',
      stackStatus: 'applied',
    });
    expect(published.map(p => p.channel)).toEqual([
      'devops-app:terraform-run:r1',
      'devops-app:terraform-runs:load-test',
      'devops-app:terraform-runs',
    ]);
    for (const { message } of published) {
      expect(message).toEqual({
        kind: 'state',
        runId: 'r1',
        environment: 'load-test',
        status: 'running',
        stack: 'cluster',
        stackStatus: 'applied',
      });
    }
  });

  it('sends at most one log signal per run every 500 ms, with the highest stored seq', async () => {
    const { signals, published } = recordingSignals();
    const runSignals = new TerraformRunSignals({
      signals,
      logger: mockServices.logger.mock(),
    });
    const logs = () =>
      published.filter(p => p.channel === 'devops-app:terraform-run:r1');

    // The first batch goes out at once.
    runSignals.logStored('r1', 'load-test', 4);
    await jest.advanceTimersByTimeAsync(0);
    expect(logs().map(p => p.message)).toEqual([
      {
        kind: 'log',
        runId: 'r1',
        environment: 'load-test',
        status: 'running',
        lastSeq: 4,
      },
    ]);
    // Batches within the interval are held back and merged into one signal.
    runSignals.logStored('r1', 'load-test', 9);
    await jest.advanceTimersByTimeAsync(100);
    runSignals.logStored('r1', 'load-test', 15);
    runSignals.logStored('r2', 'other', 1);
    await jest.advanceTimersByTimeAsync(LOG_SIGNAL_INTERVAL_MS - 101);
    expect(logs()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(logs().map(p => p.message.lastSeq)).toEqual([4, 15]);
    // Another run is batched on its own.
    expect(
      published.filter(p => p.channel === 'devops-app:terraform-run:r2'),
    ).toHaveLength(1);
    // Log signals never go to the lists.
    expect(
      published.every(p => p.channel.startsWith('devops-app:terraform-run:')),
    ).toBe(true);

    // At the end of the run the waiting signal goes out at once, then nothing more.
    runSignals.logStored('r1', 'load-test', 20);
    await runSignals.finishLog('r1');
    expect(logs().map(p => p.message.lastSeq)).toEqual([4, 15, 20]);
    await jest.advanceTimersByTimeAsync(5 * LOG_SIGNAL_INTERVAL_MS);
    expect(logs()).toHaveLength(3);
  });

  it('logs a failed publish and does not throw; sends nothing without a signals service', async () => {
    const logger = mockServices.logger.mock();
    const runSignals = new TerraformRunSignals({
      signals: {
        publish: async () => {
          throw new Error('bus down');
        },
      },
      logger,
    });
    await expect(
      runSignals.runChanged({
        runId: 'r1',
        environment: 'e',
        status: 'failed',
      }),
    ).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('bus down'),
    );

    const none = new TerraformRunSignals({ logger });
    none.logStored('r1', 'e', 1);
    await expect(none.finishLog('r1')).resolves.toBeUndefined();
  });
});
