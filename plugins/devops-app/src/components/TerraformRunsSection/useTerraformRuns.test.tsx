import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { act, renderHook } from '@testing-library/react';
import { ReactNode } from 'react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { LIST_FALLBACK_POLL_MS, useTerraformRuns } from './useTerraformRuns';

const run = (
  id: string,
  environment: string,
  status: TerraformRun['status'],
  startedAt: string,
): TerraformRun => ({
  id,
  environment,
  mode: 'apply',
  status,
  createdBy: 'user:default/guest',
  startedAt,
  stacks: [],
});

function setup(
  environments: string[] | undefined,
  initial: TerraformRun[] = [],
) {
  let runs = initial;
  let inFlight = 0;
  let maxInFlight = 0;
  let hold: Promise<void> | undefined;
  const listTerraformRuns = jest.fn(async (_request: object) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (hold) await hold;
      return runs;
    } finally {
      inFlight--;
    }
  });
  const subscribers = new Map<string, () => void>();
  const signals = {
    subscribe: jest.fn((channel: string, onMessage: () => void) => {
      subscribers.set(channel, onMessage);
      return { unsubscribe: () => subscribers.delete(channel) };
    }),
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider
      apis={[
        [
          devopsAppApiRef,
          { listTerraformRuns } as Partial<DevopsAppApi> as DevopsAppApi,
        ],
        [signalApiRef, signals],
      ]}
    >
      {children}
    </TestApiProvider>
  );
  // A new array each render, as the DevOps tab passes it.
  const hook = renderHook(
    () => useTerraformRuns(environments ? [...environments] : undefined),
    { wrapper },
  );
  return {
    hook,
    listTerraformRuns,
    subscribers,
    setRuns: (r: TerraformRun[]) => {
      runs = r;
    },
    signal: (channel: string) =>
      act(() => {
        subscribers.get(channel)!();
      }),
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

describe('useTerraformRuns (live through signals)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("asks once for the entity's environments and re-reads on a signal of any of them", async () => {
    const t = setup(
      ['dev', 'prod'],
      [run('a', 'dev', 'succeeded', '2026-11-25T10:00:00Z')],
    );
    await advance(0);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(1);
    expect(t.listTerraformRuns).toHaveBeenCalledWith({
      environments: ['dev', 'prod'],
    });
    expect([...t.subscribers.keys()].sort()).toEqual([
      'devops-app:terraform-runs:dev',
      'devops-app:terraform-runs:prod',
    ]);
    // Nothing runs: no poll at all.
    await advance(LIST_FALLBACK_POLL_MS * 3);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(1);

    // A run of prod starts on another page: the signal brings it at once.
    t.setRuns([
      run('b', 'prod', 'running', '2026-11-25T11:00:00Z'),
      run('a', 'dev', 'succeeded', '2026-11-25T10:00:00Z'),
    ]);
    t.signal('devops-app:terraform-runs:prod');
    await advance(0);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(2);
    expect(t.hook.result.current.runs?.map(r => r.id)).toEqual(['b', 'a']);
  });

  it('polls every 15 s while a run goes on, never two reads at a time, and stops on unmount', async () => {
    const t = setup(
      ['dev'],
      [run('a', 'dev', 'running', '2026-11-25T10:00:00Z')],
    );
    await advance(0);
    await advance(LIST_FALLBACK_POLL_MS - 1);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(2);

    const release = t.holdReads();
    t.signal('devops-app:terraform-runs:dev');
    await advance(0);
    t.signal('devops-app:terraform-runs:dev');
    t.signal('devops-app:terraform-runs:dev');
    await advance(0);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(3);
    release();
    await advance(0);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(4);
    expect(t.maxInFlight()).toBe(1);

    t.hook.unmount();
    expect(t.subscribers.size).toBe(0);
    await advance(LIST_FALLBACK_POLL_MS * 3);
    expect(t.listTerraformRuns).toHaveBeenCalledTimes(4);
  });

  it('every run without environments (the runs page), none for an empty list', async () => {
    const all = setup(undefined);
    await advance(0);
    expect(all.listTerraformRuns).toHaveBeenCalledWith({});
    expect([...all.subscribers.keys()]).toEqual(['devops-app:terraform-runs']);
    all.hook.unmount();

    const none = setup([]);
    await advance(0);
    expect(none.listTerraformRuns).toHaveBeenCalledWith({ environments: [] });
    expect(none.subscribers.size).toBe(0);
  });
});
