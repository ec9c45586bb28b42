import { act, renderHook } from '@testing-library/react';
import { DevopsAppClient } from '../api';
import { setPageVisibility } from '../__testUtils__/environments';
import { liveErrorMessage, useLiveData } from './useLiveData';
import { ResponseError } from '@backstage/errors';

/** Lets timers fire and the reads they start settle. */
const advance = (ms: number) =>
  act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });

/** The next read comes exactly `ms` after now: not 1 ms before, at `ms`. */
async function expectNextReadAfter(fetch: jest.Mock, ms: number) {
  const reads = fetch.mock.calls.length;
  await advance(ms - 1);
  expect(fetch).toHaveBeenCalledTimes(reads);
  await advance(1);
  expect(fetch).toHaveBeenCalledTimes(reads + 1);
}

/**
 * The plugin's real client on a backend answering 429 as the devops-app backend does for a rate
 * limited Datadog or Argo CD (`Retry-After` in seconds and `retryAfterSeconds` in the JSON body),
 * then 200.
 */
function backend(answers: Array<{ status: 429; wait: number } | 'ok'>) {
  const fetch = jest.fn(async () => {
    const answer = answers.shift() ?? 'ok';
    if (answer === 'ok') {
      return new Response(JSON.stringify({ configured: true, rows: [] }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    return new Response(
      JSON.stringify({
        error: {
          name: 'TooManyRequestsError',
          message: 'Datadog asked to wait',
        },
        response: { statusCode: 429 },
        retryAfterSeconds: answer.wait,
      }),
      {
        status: 429,
        statusText: 'Too Many Requests',
        headers: {
          'Content-Type': 'application/json',
          'Retry-After': String(answer.wait),
        },
      },
    );
  });
  const client = new DevopsAppClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend.test/api/x' },
    fetchApi: { fetch },
  });
  const load = () =>
    client.getMonitors({
      entityRef: 'component:default/a',
      environment: 'dev',
    });
  return { fetch, load };
}

describe('useLiveData', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    setPageVisibility('visible');
  });

  it('after a 429 says "<message> — retrying in N s" and reads again after exactly N s, not at its interval', async () => {
    const { fetch, load } = backend([{ status: 429, wait: 7 }, 'ok']);
    const { result } = renderHook(() =>
      useLiveData('k', load, { intervalMs: 30_000 }),
    );
    await advance(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(result.current.retryAfterSeconds).toBe(7);
    expect(result.current.errorMessage).toBe(
      'Datadog asked to wait — retrying in 7 s',
    );

    await expectNextReadAfter(fetch, 7_000);
    expect(result.current.error).toBeUndefined();
    expect(result.current.value).toEqual({ configured: true, rows: [] });

    // Back to the normal interval once the backend answers.
    await expectNextReadAfter(fetch, 30_000);
  });

  it('retries after the wait even for a view that does not poll, and keeps the last value meanwhile', async () => {
    const { fetch, load } = backend(['ok', { status: 429, wait: 3 }, 'ok']);
    const { result } = renderHook(() =>
      useLiveData('k', load, { intervalMs: null }),
    );
    await advance(0);
    const first = result.current.value;
    expect(first).toBeDefined();
    act(() => result.current.refresh());
    await advance(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(result.current.value).toBe(first);
    expect(result.current.errorMessage).toBe(
      'Datadog asked to wait — retrying in 3 s',
    );
    await expectNextReadAfter(fetch, 3_000);
    // No poll of its own afterwards.
    await advance(60_000);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('waits while the page is hidden, also after a 429, and reads when it is visible again', async () => {
    const { fetch, load } = backend([{ status: 429, wait: 5 }, 'ok']);
    renderHook(() => useLiveData('k', load, { intervalMs: 10_000 }));
    await advance(0);
    act(() => setPageVisibility('hidden'));
    await advance(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    act(() => setPageVisibility('visible'));
    await advance(0);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('starts empty for a new key: the value of another key never shows', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const load = jest.fn(async (): Promise<number> => {
      calls++;
      if (calls > 1) await new Promise<void>(resolve => (release = resolve));
      return calls;
    });
    const { result, rerender } = renderHook(
      ({ k }) => useLiveData(k, load, { intervalMs: null }),
      { initialProps: { k: 'a' } },
    );
    await advance(0);
    expect(result.current.value).toBe(1);
    rerender({ k: 'b' });
    expect(result.current.value).toBeUndefined();
    expect(result.current.loading).toBe(true);
    await act(async () => release());
    expect(result.current.value).toBe(2);
  });
});

describe('liveErrorMessage', () => {
  it("says the backend's own reason of a failed read, not the status line", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'ServiceUnavailableError',
          message: 'Prometheus of dev is unreachable: connection refused',
        },
        request: { method: 'GET', url: '/observability/metrics' },
        response: { statusCode: 503 },
      }),
      { status: 503, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    expect(error.message).toMatch(/^Request failed with 503/);
    expect(liveErrorMessage(error)).toBe(
      'Prometheus of dev is unreachable: connection refused',
    );
    // An error without a cause reads as it is.
    expect(liveErrorMessage(new Error('offline'))).toBe('offline');
  });
});
