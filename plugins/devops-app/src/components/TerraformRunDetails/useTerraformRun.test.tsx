import { TestApiProvider } from '@backstage/test-utils';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import {
  TerraformLogLine,
  TerraformRun,
  TerraformRunSignal,
} from '@devops-app/plugin-devops-app-common';
import { act, renderHook } from '@testing-library/react';
import { ReactNode } from 'react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { RUN_FALLBACK_POLL_MS, useTerraformRun } from './useTerraformRun';

const CHANNEL = 'devops-app:terraform-run:run-1';

const run = (status: TerraformRun['status']): TerraformRun => ({
  id: 'run-1',
  environment: 'load-test',
  mode: 'apply',
  status,
  createdBy: 'user:default/guest',
  startedAt: '2026-11-25T15:00:00.000Z',
  stacks: [],
});
const line = (seq: number): TerraformLogLine => ({
  seq,
  stack: 'cluster',
  stream: 'stdout',
  line: `line ${seq}`,
  at: '',
});

/** A backend whose run and log the test moves; each read can be held open to test overlapping. */
function setup() {
  const state = {
    status: 'running' as TerraformRun['status'],
    lines: [line(0)],
  };
  let inFlight = 0;
  let maxInFlight = 0;
  let hold: Promise<void> | undefined;
  const track = async <T,>(value: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (hold) await hold;
      return value();
    } finally {
      inFlight--;
    }
  };
  const api = {
    getTerraformRun: jest.fn(async (_id: string) =>
      track(() => run(state.status)),
    ),
    getTerraformRunLog: jest.fn(async (_id: string, after?: number) =>
      track(() => state.lines.filter(l => l.seq > (after ?? -1))),
    ),
  };
  const subscribers = new Map<string, (m: TerraformRunSignal) => void>();
  const unsubscribe = jest.fn();
  const signals = {
    subscribe: jest.fn(
      (channel: string, onMessage: (m: TerraformRunSignal) => void) => {
        subscribers.set(channel, onMessage);
        return {
          unsubscribe: () => {
            unsubscribe(channel);
            subscribers.delete(channel);
          },
        };
      },
    ),
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider
      apis={[
        [devopsAppApiRef, api as Partial<DevopsAppApi> as DevopsAppApi],
        [signalApiRef, signals as unknown as SignalApi],
      ]}
    >
      {children}
    </TestApiProvider>
  );
  const hook = renderHook(() => useTerraformRun('run-1'), { wrapper });
  const signal = (message: Partial<TerraformRunSignal>) =>
    act(() => {
      subscribers.get(CHANNEL)!({
        kind: 'state',
        runId: 'run-1',
        environment: 'load-test',
        status: 'running',
        ...message,
      } as TerraformRunSignal);
    });
  return {
    hook,
    api,
    state,
    signal,
    subscribers,
    unsubscribe,
    maxInFlight: () => maxInFlight,
    holdReads: () => {
      let release!: () => void;
      hold = new Promise<void>(r => {
        release = r;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

const advance = (ms: number) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });

describe('useTerraformRun (live through signals)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads again on a signal of the run: the new lines on a log signal, the run too on a state signal', async () => {
    const t = setup();
    await advance(0);
    expect([...t.subscribers.keys()]).toEqual([CHANNEL]);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(1);
    expect(t.hook.result.current.lines.map(l => l.line)).toEqual(['line 0']);

    // Lines 1-2 stored: only the log is read, after the last line held.
    t.state.lines.push(line(1), line(2));
    t.signal({ kind: 'log', lastSeq: 2 });
    await advance(0);
    expect(t.api.getTerraformRunLog).toHaveBeenLastCalledWith('run-1', 0);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(1);
    expect(t.hook.result.current.lines.map(l => l.seq)).toEqual([0, 1, 2]);

    // A log signal naming lines already here reads nothing.
    t.signal({ kind: 'log', lastSeq: 2 });
    await advance(0);
    expect(t.api.getTerraformRunLog).toHaveBeenCalledTimes(2);

    // The end: the run and the last lines are read at once, long before any poll.
    t.state.status = 'succeeded';
    t.state.lines.push(line(3));
    t.signal({ kind: 'state', status: 'succeeded' });
    await advance(0);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(2);
    expect(t.api.getTerraformRunLog).toHaveBeenLastCalledWith('run-1', 2);
    expect(t.hook.result.current.run?.status).toBe('succeeded');
    expect(t.hook.result.current.lines.map(l => l.seq)).toEqual([0, 1, 2, 3]);
  });

  it('polls every 15 s while the run goes on (signals down), and stops once it has ended', async () => {
    const t = setup();
    await advance(0);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(1);
    await advance(RUN_FALLBACK_POLL_MS - 1);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(2);

    t.state.status = 'failed';
    t.state.lines.push(line(1));
    await advance(RUN_FALLBACK_POLL_MS);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(3);
    expect(t.hook.result.current.run?.status).toBe('failed');
    expect(t.hook.result.current.lines.map(l => l.seq)).toEqual([0, 1]);
    await advance(RUN_FALLBACK_POLL_MS * 4);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(3);
  });

  it('a signal restarts the poll interval and never starts a read while one runs', async () => {
    const t = setup();
    await advance(0);
    await advance(RUN_FALLBACK_POLL_MS - 1000);
    const release = t.holdReads();
    t.signal({ kind: 'state' });
    await advance(0);
    // Signals during the held read are merged into one read after it.
    t.signal({ kind: 'log', lastSeq: 5 });
    t.signal({ kind: 'state' });
    await advance(2000);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(2);
    release();
    await advance(0);
    expect(t.maxInFlight()).toBe(1);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(3);
    // The poll counts from the last read, not from the first.
    await advance(RUN_FALLBACK_POLL_MS - 1);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(3);
    await advance(1);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(4);
  });

  it('stops reading and unsubscribes on unmount', async () => {
    const t = setup();
    await advance(0);
    t.hook.unmount();
    expect(t.unsubscribe).toHaveBeenCalledWith(CHANNEL);
    await advance(RUN_FALLBACK_POLL_MS * 3);
    expect(t.api.getTerraformRun).toHaveBeenCalledTimes(1);
    expect(t.api.getTerraformRunLog).toHaveBeenCalledTimes(1);
  });

  it('keeps the run shown after a failed read and tries again at the poll interval', async () => {
    const t = setup();
    await advance(0);
    t.api.getTerraformRun.mockRejectedValueOnce(new Error('backend down'));
    t.signal({ kind: 'state' });
    await advance(0);
    expect(t.hook.result.current.error?.message).toBe('backend down');
    expect(t.hook.result.current.run?.status).toBe('running');
    await advance(RUN_FALLBACK_POLL_MS);
    expect(t.hook.result.current.error).toBeUndefined();
  });
});
