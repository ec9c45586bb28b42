import { retryAfterSeconds, TooManyRequestsError } from '../../upstreamErrors';

/**
 * The transport under `@datadog/datadog-api-client`: native fetch with a timeout, and a 429 handed back
 * at once. Datadog answers a rate-limited call with 429 and `X-RateLimit-Reset`, the seconds until the
 * window resets (https://docs.datadoghq.com/api/latest/rate-limits/); no request waits that out here:
 * the call fails with a TooManyRequestsError carrying the wait, which the route answers as 429 with
 * `Retry-After`, and the browser retries after it. The client's own retry stays off (`enableRetry:
 * false`): it sleeps whatever the header says, inside the request.
 */
export function rateLimitedFetch(options: {
  timeoutMs: number;
  /** Which API this is, for the message: "Datadog logs search (datadoghq.eu)". */
  describe: (url: string) => string;
}): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status !== 429) {
      return response;
    }
    await response.body?.cancel();
    const seconds = retryAfterSeconds(response.headers) ?? 1;
    throw new TooManyRequestsError(
      `${options.describe(url)} is rate limiting; retry in ${seconds} s`,
      seconds,
    );
  };
}
