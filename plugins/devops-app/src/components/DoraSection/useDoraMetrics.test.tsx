import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  DoraMetricsResponse,
  DoraPeriod,
} from '@devops-app/plugin-devops-app-common';
import { act, renderHook } from '@testing-library/react';
import { ReactNode } from 'react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DORA_POLL_MS, useDoraMetrics } from './useDoraMetrics';

const ENTITY_REF = 'component:default/inference-service';
const CHANNEL = `devops-app:deployments:${ENTITY_REF}`;

/** A response that says which query it answers (the rest of the shape is DoraSection.test's). */
const answer = (environment: string, days: DoraPeriod) =>
  ({ entityRef: ENTITY_REF, environment, days } as DoraMetricsResponse);

function setup(environment: string | undefined, days: DoraPeriod = 30) {
  const subscribers = new Map<string, (message: unknown) => void>();
  const signals = {
    subscribe: jest.fn((channel: string, onMessage: (m: unknown) => void) => {
      subscribers.set(channel, onMessage);
      return { unsubscribe: () => subscribers.delete(channel) };
    }),
  };
  const getDoraMetrics = jest.fn(
    async (r: { entityRef: string; environment: string; days: DoraPeriod }) =>
      answer(r.environment, r.days),
  );
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider
      apis={[
        [devopsAppApiRef, { getDoraMetrics } as Partial<DevopsAppApi>],
        [signalApiRef, signals],
      ]}
    >
      {children}
    </TestApiProvider>
  );
  const hook = renderHook(
    (props: { environment?: string; days: DoraPeriod }) =>
      useDoraMetrics(ENTITY_REF, props.environment, props.days),
    { wrapper, initialProps: { environment, days } },
  );
  return { hook, subscribers, getDoraMetrics };
}

/** Lets timers fire and the reads they start settle. */
const advance = (ms: number) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });

describe('useDoraMetrics (live)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads the environment and period, and again every minute', async () => {
    const { hook, getDoraMetrics } = setup('prod', 90);
    await advance(0);
    expect(getDoraMetrics).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'prod',
      days: 90,
    });
    expect(hook.result.current.value).toEqual(answer('prod', 90));
    await advance(DORA_POLL_MS - 1000);
    expect(getDoraMetrics).toHaveBeenCalledTimes(1);
    await advance(1000);
    expect(getDoraMetrics).toHaveBeenCalledTimes(2);
  });

  it('reads nothing without an environment', async () => {
    const { hook, getDoraMetrics } = setup(undefined);
    await advance(DORA_POLL_MS * 2);
    expect(getDoraMetrics).not.toHaveBeenCalled();
    expect(hook.result.current.loading).toBe(false);
  });

  it("reads again at once on a signal of the entity's deployment channel", async () => {
    const { subscribers, getDoraMetrics } = setup('prod');
    await advance(0);
    expect([...subscribers.keys()]).toEqual([CHANNEL]);
    act(() => {
      subscribers.get(CHANNEL)!({
        entityRef: ENTITY_REF,
        environment: 'prod',
        action: 'deploy',
        result: 'success',
        auditId: 7,
      });
    });
    await advance(0);
    expect(getDoraMetrics).toHaveBeenCalledTimes(2);
  });

  it('shows another period as its own read, not the last one', async () => {
    const { hook, getDoraMetrics } = setup('prod', 30);
    await advance(0);
    expect(hook.result.current.value?.days).toBe(30);
    hook.rerender({ environment: 'prod', days: 90 });
    expect(hook.result.current.value).toBeUndefined();
    await advance(0);
    expect(getDoraMetrics).toHaveBeenLastCalledWith(
      expect.objectContaining({ days: 90 }),
    );
    expect(hook.result.current.value).toEqual(answer('prod', 90));
  });
});
