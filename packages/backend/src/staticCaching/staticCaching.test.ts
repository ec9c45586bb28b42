import { createServer, get, IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';
import {
  CACHE_CONTROL_IMMUTABLE,
  CACHE_CONTROL_REVALIDATE,
  portalCacheControl,
  staticCachingMiddleware,
} from './staticCaching';

describe('portalCacheControl', () => {
  const fourteenDays = 'public, max-age=1209600';

  it('makes content-hashed static files immutable', () => {
    expect(
      portalCacheControl('/static/main.15132e513329.js', fourteenDays),
    ).toBe(CACHE_CONTROL_IMMUTABLE);
    expect(
      portalCacheControl('/static/1052.b0ab8c1e32fa.chunk.js', fourteenDays),
    ).toBe(CACHE_CONTROL_IMMUTABLE);
    expect(
      portalCacheControl('/static/media/logo.0a1b2c3d4e5f.svg', fourteenDays),
    ).toBe(CACHE_CONTROL_IMMUTABLE);
  });

  it('leaves unhashed files and the config-injected file as the app-backend set them', () => {
    expect(portalCacheControl('/static/manifest.json', fourteenDays)).toBe(
      undefined,
    );
    expect(portalCacheControl('/static/main.15132e513329.js', 'no-cache')).toBe(
      undefined,
    );
    expect(portalCacheControl('/api/catalog/entities', undefined)).toBe(
      undefined,
    );
  });

  it('revalidates index.html instead of refetching it', () => {
    expect(portalCacheControl('/catalog', 'no-store, max-age=0')).toBe(
      CACHE_CONTROL_REVALIDATE,
    );
  });
});

describe('staticCachingMiddleware', () => {
  /** Answers as the app-backend does: its Cache-Control values, an ETag, 304 when it matches. */
  function appBackend(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    const body = path.startsWith('/static/') ? 'chunk' : '<html></html>';
    res.setHeader(
      'Cache-Control',
      path.startsWith('/static/')
        ? 'public, max-age=1209600'
        : 'no-store, max-age=0',
    );
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
  }

  it('rewrites the headers the app-backend writes, and only those', async () => {
    const middleware = staticCachingMiddleware();
    const server = createServer((req, res) =>
      middleware(req, res, () => appBackend(req, res)),
    );
    server.listen(0, '127.0.0.1');
    await new Promise(r => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const close = () => server.close();
    try {
      const chunk = await fetch(`${base}/static/main.15132e513329.js`);
      expect(chunk.headers.get('cache-control')).toBe(CACHE_CONTROL_IMMUTABLE);
      const page = await fetch(`${base}/catalog/default/component/x`);
      expect(page.headers.get('cache-control')).toBe(CACHE_CONTROL_REVALIDATE);
      // A revalidated index.html is a 304 with no body when unchanged.
      // (node:http: fetch adds `Cache-Control: no-cache` to a conditional request, as the Fetch
      // standard says, and the server then answers in full.)
      const status = await new Promise<number | undefined>((resolve, reject) =>
        get(
          `${base}/catalog/default/component/x`,
          { headers: { 'If-None-Match': page.headers.get('etag') ?? '' } },
          r => {
            r.resume();
            resolve(r.statusCode);
          },
        ).on('error', reject),
      );
      expect(status).toBe(304);
      const api = await fetch(`${base}/api/x`);
      expect(api.headers.get('cache-control')).toBe('no-store, max-age=0');
    } finally {
      close();
    }
  });
});
