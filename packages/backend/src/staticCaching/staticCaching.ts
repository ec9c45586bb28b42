import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What `@backstage/plugin-app-backend` (src/lib/headers.ts) sends: 14 days for every file under
 * /static, `no-store` for index.html (and the HTML5 routes that answer with it), `no-cache` for the
 * static file it injected the runtime config into.
 */
const APP_BACKEND_MAX_CACHE = 'public, max-age=1209600';
const APP_BACKEND_NO_STORE = 'no-store, max-age=0';

/** One year and never revalidated: the file's name changes whenever its content does. */
export const CACHE_CONTROL_IMMUTABLE = 'public, max-age=31536000, immutable';
/** Kept, but revalidated on every use (ETag / Last-Modified): a reload gets a 304 when unchanged. */
export const CACHE_CONTROL_REVALIDATE = 'no-cache';

/** A webpack/rspack content-hashed name, e.g. `main.15132e513329.js`, `1052.b0ab8c1e.chunk.js`. */
const HASHED_STATIC_FILE = /^\/static\/(?:[^/]+\/)*[^/]+\.[0-9a-f]{8,}\.[^/]+$/;

/** The Cache-Control the portal sends instead of the app-backend's, or undefined to keep it. */
export function portalCacheControl(
  path: string,
  appBackendValue: string | undefined,
): string | undefined {
  if (appBackendValue === APP_BACKEND_MAX_CACHE) {
    // The config-injected file keeps the app-backend's `no-cache`; it never reaches this branch.
    return HASHED_STATIC_FILE.test(path) ? CACHE_CONTROL_IMMUTABLE : undefined;
  }
  if (appBackendValue === APP_BACKEND_NO_STORE) {
    return CACHE_CONTROL_REVALIDATE;
  }
  return undefined;
}

/**
 * Long-lived caching of the built frontend, as production serves it: hashed files under /static are
 * `immutable` (a reload does not even revalidate them), index.html is `no-cache` instead of `no-store`
 * (a reload revalidates it and gets a 304 while it is unchanged). The app-backend plugin decides which
 * file is which; this only rewrites its two values when the response's headers are written, so an API
 * response is never touched (its own Cache-Control, if any, is neither value).
 */
export function staticCachingMiddleware() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = (req.url ?? '/').split('?')[0];
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      path.startsWith('/api/')
    ) {
      next();
      return;
    }
    const writeHead = res.writeHead;
    res.writeHead = function portalWriteHead(
      this: ServerResponse,
      ...args: Parameters<ServerResponse['writeHead']>
    ) {
      const current = this.getHeader('Cache-Control');
      const replacement = portalCacheControl(
        path,
        typeof current === 'string' ? current : undefined,
      );
      if (replacement) this.setHeader('Cache-Control', replacement);
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    next();
  };
}
