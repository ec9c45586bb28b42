/**
 * The transport under `@datadog/datadog-api-client`: native fetch with a timeout per attempt, and a
 * bounded retry of 429 answers. Datadog says when the window resets (`X-RateLimit-Reset`, seconds); we
 * wait that long (or back off 1, 2, 4 s without the header) only while the total wait stays within
 * `maxWaitMs`, then hand the 429 to the client, which raises it. The client's own retry is off because
 * it waits whatever the header says, without a bound.
 */
export function rateLimitedFetch(options: {
  timeoutMs: number;
  maxRetries: number;
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}): (url: string, init: RequestInit) => Promise<Response> {
  const sleep =
    options.sleep ?? (ms => new Promise<void>(r => setTimeout(r, ms)));
  return async (url, init) => {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status !== 429 || attempt >= options.maxRetries) {
        return response;
      }
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      const delayMs =
        Number.isFinite(reset) && reset > 0
          ? reset * 1000
          : 1000 * 2 ** attempt;
      if (waited + delayMs > options.maxWaitMs) {
        return response;
      }
      await response.body?.cancel();
      await sleep(delayMs);
      waited += delayMs;
    }
  };
}
