import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  DeploymentStatusResponse,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import { act, renderHook } from '@testing-library/react';
import { ReactNode } from 'react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import {
  ACTIVE_POLL_MS,
  IDLE_POLL_MS,
  isInMotion,
  useDeploymentStatus,
} from './useDeploymentStatus';

const ENTITY_REF = 'component:default/inference-service';
const allowed = { allowed: true };

function env(
  argocd: Partial<EnvironmentDeploymentStatus['argocd']> = {},
): EnvironmentDeploymentStatus {
  return {
    environment: 'dev',
    title: 'Development',
    production: false,
    valuesFile: 'charts/inference/values.yaml',
    gitTag: '0.1.0',
    argocd: {
      state: 'connected',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      ...argocd,
    },
    permissions: {
      deploy: allowed,
      sync: allowed,
      promote: allowed,
      abort: allowed,
    },
  };
}
const idle = (): DeploymentStatusResponse => ({
  entityRef: ENTITY_REF,
  repository: { configured: true, branch: 'main' },
  items: [env()],
});
const syncing = (): DeploymentStatusResponse => ({
  ...idle(),
  items: [env({ operationPhase: 'Running' })],
});

let visibility: DocumentVisibilityState = 'visible';
function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

function setup(
  getDeploymentStatus: jest.Mock<Promise<DeploymentStatusResponse>, []>,
) {
  const subscribers = new Map<string, (message: any) => void>();
  const signals = {
    subscribe: jest.fn((channel: string, onMessage: (m: any) => void) => {
      subscribers.set(channel, onMessage);
      return { unsubscribe: () => subscribers.delete(channel) };
    }),
  };
  const api: Partial<DevopsAppApi> = {
    getDeploymentStatus,
    getAuditLog: jest.fn(async () => []),
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider
      apis={[
        [devopsAppApiRef, api as DevopsAppApi],
        [signalApiRef, signals],
      ]}
    >
      {children}
    </TestApiProvider>
  );
  const hook = renderHook(() => useDeploymentStatus(ENTITY_REF), { wrapper });
  return { hook, subscribers, api };
}

/** Lets timers fire and the reads they start settle. */
const advance = (ms: number) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });

describe('useDeploymentStatus (live)', () => {
  beforeAll(() => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
  });
  beforeEach(() => {
    visibility = 'visible';
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('polls every 15 s while nothing moves and every 3 s while a sync runs', async () => {
    const responses = [idle(), syncing(), syncing(), idle()];
    const get = jest.fn(async () => responses.shift() ?? idle());
    const { hook } = setup(get);
    await advance(0);
    expect(get).toHaveBeenCalledTimes(1);
    expect(hook.result.current.active).toBe(false);

    await advance(IDLE_POLL_MS - 1);
    expect(get).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(get).toHaveBeenCalledTimes(2); // answers: sync Running
    expect(hook.result.current.active).toBe(true);

    await advance(ACTIVE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(3); // still Running
    await advance(ACTIVE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(4); // settled
    expect(hook.result.current.active).toBe(false);

    await advance(ACTIVE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(4);
    await advance(IDLE_POLL_MS - ACTIVE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(5);
  });

  it('stops while the page is hidden and reads at once when it is visible again', async () => {
    const get = jest.fn(async () => syncing());
    setup(get);
    await advance(0);
    expect(get).toHaveBeenCalledTimes(1);

    setVisibility('hidden');
    await advance(5 * IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);

    setVisibility('visible');
    await advance(0);
    expect(get).toHaveBeenCalledTimes(2);
    await advance(ACTIVE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('does not start polling again when a read ends after the page was hidden', async () => {
    let release: (r: DeploymentStatusResponse) => void = () => {};
    const get = jest.fn(
      () =>
        new Promise<DeploymentStatusResponse>(resolve => {
          release = resolve;
        }),
    );
    setup(get);
    await advance(0);
    setVisibility('hidden');
    await act(async () => release(syncing()));
    await advance(5 * IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('stops when the card is unmounted', async () => {
    const get = jest.fn(async () => syncing());
    const { hook } = setup(get);
    await advance(0);
    hook.unmount();
    await advance(5 * IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('never runs two reads at a time; a refresh asked during a read runs once after it', async () => {
    let release: (r: DeploymentStatusResponse) => void = () => {};
    const get = jest.fn(
      () =>
        new Promise<DeploymentStatusResponse>(resolve => {
          release = resolve;
        }),
    );
    const { hook } = setup(get);
    await advance(0);
    expect(get).toHaveBeenCalledTimes(1);
    // A slow answer: no timer and no refresh starts a second read meanwhile.
    act(() => {
      hook.result.current.refresh();
      hook.result.current.refresh();
    });
    await advance(5 * IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(1);

    await act(async () => release(syncing()));
    await advance(0);
    expect(get).toHaveBeenCalledTimes(2); // the refresh asked for during the first read
    await act(async () => release(syncing()));
    await advance(ACTIVE_POLL_MS - 1);
    expect(get).toHaveBeenCalledTimes(2);
    await advance(1);
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('keeps the rows of the last good read when a refresh fails, and says so', async () => {
    const first = idle();
    const get = jest
      .fn<Promise<DeploymentStatusResponse>, []>()
      .mockResolvedValueOnce(first)
      .mockRejectedValueOnce(new Error('backend answered 503'))
      .mockResolvedValue(idle());
    const { hook } = setup(get);
    await advance(0);
    const updated = hook.result.current.lastUpdated;
    expect(updated).toBeInstanceOf(Date);

    await advance(IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(2);
    expect(hook.result.current.status).toBe(first);
    expect(hook.result.current.error).toBeUndefined();
    expect(hook.result.current.refreshError?.error.message).toBe(
      'backend answered 503',
    );
    expect(hook.result.current.lastUpdated).toBe(updated);

    // Polling goes on after a failure, and the next good read clears the failure.
    await advance(IDLE_POLL_MS);
    expect(get).toHaveBeenCalledTimes(3);
    expect(hook.result.current.refreshError).toBeUndefined();
  });

  it("reloads at once on a signal of the entity's channel", async () => {
    const get = jest.fn(async () => idle());
    const { subscribers } = setup(get);
    await advance(0);
    expect([...subscribers.keys()]).toEqual([
      'devops-app:deployments:component:default/inference-service',
    ]);
    act(() => {
      subscribers.get(
        'devops-app:deployments:component:default/inference-service',
      )!({
        entityRef: ENTITY_REF,
        environment: 'dev',
        action: 'deploy',
        result: 'success',
        auditId: 7,
      });
    });
    await advance(0);
    expect(get).toHaveBeenCalledTimes(2);
  });
});

describe('isInMotion', () => {
  const rollout = {
    name: 'inference',
    pausedForPromotion: false,
    aborted: false,
  };
  it.each([
    ['a running sync', { operationPhase: 'Running' }, true],
    ['health Progressing', { healthStatus: 'Progressing' }, true],
    [
      'a Rollout Progressing',
      { rollout: { ...rollout, phase: 'Progressing' } },
      true,
    ],
    [
      'a Rollout paused for promotion (waits for a person)',
      {
        rollout: {
          ...rollout,
          phase: 'Paused',
          pausedForPromotion: true,
          previewRevision: '7c9d8f6b5',
        },
      },
      false,
    ],
    [
      'a paused Rollout without a preview',
      { rollout: { ...rollout, phase: 'Paused' } },
      false,
    ],
    [
      'a finished sync and a healthy Rollout',
      {
        operationPhase: 'Succeeded',
        rollout: { ...rollout, phase: 'Healthy' },
      },
      false,
    ],
  ])('%s: %s', (_name, argocd, expected) => {
    expect(isInMotion(env(argocd))).toBe(expected);
  });
});
