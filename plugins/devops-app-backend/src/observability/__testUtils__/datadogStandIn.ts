import { createServer, IncomingMessage, Server } from 'node:http';
import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';

/**
 * Test support: a stand-in for Datadog's public API on 127.0.0.1, answering the three endpoints the
 * portal calls with the response shapes of Datadog's API documentation:
 *  - POST /api/v2/logs/events/search  ("Search logs": LogsListResponse)
 *  - POST /api/v2/spans/analytics/aggregate  ("Aggregate spans": SpansAggregateResponse)
 *  - GET  /api/v1/monitor  ("Get all monitor details": Monitor[])
 * It checks the DD-API-KEY and DD-APPLICATION-KEY headers (403 `{"errors":["Forbidden"]}` otherwise)
 * and can be told to answer the next requests with 429 and the documented X-RateLimit-* headers.
 * Logs search pages as documented: at most `page.limit` lines (default 10); when more match, the cursor of
 * the next page is in `meta.page.after` and `links.next` (the GET form with `page[cursor]`), and is sent
 * back as `page.cursor` with the same filter and sort. A cursor it did not issue for that search gets
 * 400 `{"errors":[...]}`.
 * What it does not model: query semantics beyond service, env, status and @request_id.
 */

export interface StandInLog {
  id: string;
  timestamp: string;
  status: string;
  message: string;
  service: string;
  env: string;
  attributes: Record<string, unknown>;
}

export interface StandInResourceStats {
  resource: string;
  env: string;
  hits: number;
  errors: number;
  /** Nanoseconds, as Datadog reports `@duration`. */
  p95: number;
}

export interface StandInMonitor {
  id: number;
  name: string;
  overall_state: string;
  tags: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface DatadogStandIn {
  baseUrl: string;
  apiKey: string;
  appKey: string;
  requests: RecordedRequest[];
  /** Every answer sent (path, status, body), for the schema test. */
  responses: { path: string; status: number; body: unknown }[];
  /** The next `count` requests answer 429 with `X-RateLimit-Reset: resetSeconds`. */
  rateLimitNext(count: number, resetSeconds: number): void;
  stop(): Promise<void>;
}

/** What a cursor is bound to: the same filter, window and sort. */
function searchKey(
  body: { filter?: unknown; sort?: unknown } | undefined,
): string {
  return createHash('sha256')
    .update(JSON.stringify([body?.filter ?? {}, body?.sort ?? 'timestamp']))
    .digest('hex')
    .slice(0, 16);
}

/** An opaque base64 token, as Datadog's cursors look: the position after the last line sent. */
function encodeCursor(startAt: number, key: string): string {
  return Buffer.from(JSON.stringify({ startAt, key })).toString('base64');
}

function decodeCursor(cursor: string, key: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (
      decoded?.key === key &&
      Number.isInteger(decoded.startAt) &&
      decoded.startAt >= 0
    ) {
      return decoded.startAt;
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The few query terms the portal sends: service:, env:, status:, @request_id:"...". */
function matchesQuery(query: string, log: StandInLog): boolean {
  const service = /service:(\S+)/.exec(query)?.[1];
  const env = /env:(\S+)/.exec(query)?.[1];
  const requestId = /@request_id:"((?:[^"\\]|\\.)*)"/.exec(query)?.[1];
  const statuses = [...query.matchAll(/status:(\w+)/g)].map(m => m[1]);
  if (service && log.service !== service) return false;
  if (env && log.env !== env) return false;
  if (requestId && log.attributes.request_id !== requestId) return false;
  if (statuses.length && !statuses.includes(log.status)) return false;
  return true;
}

export async function startDatadogStandIn(data: {
  logs: StandInLog[];
  resources: StandInResourceStats[];
  monitors: StandInMonitor[];
}): Promise<DatadogStandIn> {
  const apiKey = 'stand-in-api-key';
  const appKey = 'stand-in-app-key';
  const requests: RecordedRequest[] = [];
  const responses: DatadogStandIn['responses'] = [];
  let limited = 0;
  let resetSeconds = 1;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const raw = await readBody(req);
    const body = raw ? JSON.parse(raw) : undefined;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      body,
    });
    const send = (
      status: number,
      payload: unknown,
      headers: Record<string, string> = {},
    ) => {
      responses.push({ path: url.pathname, status, body: payload });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (
      req.headers['dd-api-key'] !== apiKey ||
      req.headers['dd-application-key'] !== appKey
    ) {
      send(403, { errors: ['Forbidden'] });
      return;
    }
    if (limited > 0) {
      limited--;
      send(
        429,
        { errors: ['Rate limit exceeded'] },
        {
          'X-RateLimit-Limit': '300',
          'X-RateLimit-Period': '3600',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(resetSeconds),
          'X-RateLimit-Name': 'logs_query',
        },
      );
      return;
    }
    const meta = { elapsed: 12, request_id: 'stand-in', status: 'done' };

    if (
      req.method === 'POST' &&
      url.pathname === '/api/v2/logs/events/search'
    ) {
      const filter = body?.filter ?? {};
      const from = Date.parse(filter.from);
      const to = Date.parse(filter.to);
      const key = searchKey(body);
      let startAt = 0;
      if (body?.page?.cursor !== undefined) {
        const position = decodeCursor(String(body.page.cursor), key);
        if (position === undefined) {
          send(400, {
            errors: ['Invalid cursor: it does not belong to this query'],
          });
          return;
        }
        startAt = position;
      }
      const limit = body?.page?.limit ?? 10;
      const matching = data.logs
        .filter(l => matchesQuery(filter.query ?? '', l))
        .filter(
          l => Date.parse(l.timestamp) >= from && Date.parse(l.timestamp) <= to,
        )
        .sort((a, b) =>
          body?.sort === 'timestamp'
            ? a.timestamp.localeCompare(b.timestamp)
            : b.timestamp.localeCompare(a.timestamp),
        );
      const rows = matching.slice(startAt, startAt + limit);
      const after =
        startAt + limit < matching.length
          ? encodeCursor(startAt + limit, key)
          : undefined;
      const next = new URL('/api/v2/logs/events', `http://${req.headers.host}`);
      if (after) {
        next.searchParams.set('filter[query]', filter.query ?? '');
        next.searchParams.set('filter[from]', filter.from ?? '');
        next.searchParams.set('filter[to]', filter.to ?? '');
        next.searchParams.set('sort', body?.sort ?? 'timestamp');
        next.searchParams.set('page[limit]', String(limit));
        next.searchParams.set('page[cursor]', after);
      }
      send(200, {
        data: rows.map(l => ({
          id: l.id,
          type: 'log',
          attributes: {
            timestamp: l.timestamp,
            status: l.status,
            message: l.message,
            service: l.service,
            host: 'inference-7d9f-abcde',
            tags: [`env:${l.env}`, `service:${l.service}`],
            attributes: l.attributes,
          },
        })),
        links: after ? { next: next.toString() } : {},
        meta: { ...meta, page: after ? { after } : {} },
      });
      return;
    }

    if (
      req.method === 'POST' &&
      url.pathname === '/api/v2/spans/analytics/aggregate'
    ) {
      const attributes = body?.data?.attributes ?? {};
      const query: string = attributes.filter?.query ?? '';
      const env = /env:(\S+)/.exec(query)?.[1];
      const errorsOnly = query.includes('status:error');
      const buckets = data.resources
        .filter(r => !env || r.env === env)
        .map((r, i) => {
          const compute: Record<string, number> = {};
          (attributes.compute ?? []).forEach(
            (c: { aggregation: string }, j: number) => {
              const count = errorsOnly ? r.errors : r.hits;
              compute[`c${j}`] = c.aggregation === 'count' ? count : r.p95;
            },
          );
          return {
            id: `bucket-${i}`,
            type: 'bucket',
            attributes: { by: { resource_name: r.resource }, compute },
          };
        })
        .filter(b => !errorsOnly || (b.attributes.compute.c0 ?? 0) > 0);
      send(200, { data: buckets, meta });
      return;
    }

    if (req.method === 'GET' && url.pathname === '/api/v1/monitor') {
      const wanted = (url.searchParams.get('monitor_tags') ?? '')
        .split(',')
        .filter(Boolean);
      send(
        200,
        data.monitors
          .filter(m => wanted.every(t => m.tags.includes(t)))
          .map(m => ({
            id: m.id,
            name: m.name,
            overall_state: m.overall_state,
            tags: m.tags,
            type: 'metric alert',
            query:
              'avg(last_5m):avg:trace.http.request.errors{service:inference-service} > 5',
            message: '',
            options: {},
            created: '2026-11-01T00:00:00.000Z',
            modified: '2026-11-01T00:00:00.000Z',
            multi: false,
            priority: null,
          })),
      );
      return;
    }
    send(404, { errors: ['Not found'] });
  });

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    appKey,
    requests,
    responses,
    rateLimitNext(count, reset) {
      limited = count;
      resetSeconds = reset;
    },
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
