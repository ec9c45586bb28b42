import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { DestinationStream, Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  service: string;
}

/**
 * JSON lines for Datadog: ISO time, the level as a word, and the service name. Request-scoped lines
 * get `request_id` and `dd.{trace_id,span_id}` from the request's child logger (see http/server.ts).
 * Writes are synchronous: a few lines a request cost little, and nothing is lost or reordered when
 * the process exits or crashes.
 */
export function createLogger(
  options: LoggerOptions,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: label => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller's request id may look like: safe to echo in a header and to log as is. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's X-Request-ID when it is usable, otherwise a fresh UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && ACCEPTABLE_REQUEST_ID.test(candidate)
    ? candidate
    : randomUUID();
}
