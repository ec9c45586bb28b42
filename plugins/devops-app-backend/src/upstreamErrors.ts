import { CustomErrorBase } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/**
 * An upstream service (Datadog, Argo CD) is rate limiting the portal. Not retried inside the request:
 * the browser gets HTTP 429 at once with the wait the upstream asked for, and retries after it.
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;

  readonly retryAfterSeconds: number;

  constructor(message: string, seconds: number) {
    super(message);
    this.retryAfterSeconds = seconds;
  }
}

/**
 * The wait an upstream asked for, in whole seconds: `Retry-After` (RFC 9110 section 10.2.3: seconds or
 * an HTTP date), else Datadog's `X-RateLimit-Reset` (seconds until the window resets,
 * https://docs.datadoghq.com/api/latest/rate-limits/). Undefined when neither says.
 */
export function retryAfterSeconds(
  headers: Pick<Headers, 'get'>,
  now = Date.now(),
): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Math.max(1, Number(retryAfter));
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(1, Math.ceil((at - now) / 1000));
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(1, Number(reset));
  return undefined;
}

/**
 * Answers a TooManyRequestsError as 429 with `Retry-After` and Backstage's error body
 * (`{error: {name, message}, request, response: {statusCode}}`, as @backstage/errors' ErrorResponseBody)
 * plus `retryAfterSeconds`, which the frontend reads. Every other error goes on to Backstage's handler.
 */
export const tooManyRequestsHandler: ErrorRequestHandler = (
  error,
  req,
  res,
  next,
) => {
  if (!(error instanceof TooManyRequestsError) || res.headersSent) {
    next(error);
    return;
  }
  res
    .status(429)
    .set('Retry-After', String(error.retryAfterSeconds))
    .json({
      error: { name: error.name, message: error.message },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: 429 },
      retryAfterSeconds: error.retryAfterSeconds,
    });
};
