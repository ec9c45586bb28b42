import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import express from 'express';

const gzip = promisify(gzipCallback);

/** Below this the backend's own compression middleware leaves a body as it is; so do we. */
const MIN_BYTES = 1024;

interface Encoded {
  body: Buffer;
  etag: string;
}

/**
 * Bodies of JSON answers, encoded once: the gzip of a body is made once per distinct body and kept
 * (bounded) for every later request that answers the same bytes, and a frozen answer object (one that
 * a cache shares between callers, e.g. a Metrics panel) is serialised once.
 *
 * Issue 17/14: under 100 to 200 concurrent readers of the status and the Metrics panels, about a fifth of
 * the backend's event loop went to `res.json` and the root router's `compression` (JSON.stringify, the
 * body's weak ETag, zlib's stream) of the same few bodies. Nothing here crosses callers other than bytes
 * a caller is answered anyway: the key is the SHA-1 of the exact body this caller gets.
 */
export class EncodedJsonCache {
  private readonly gzipped = new Map<string, Promise<Buffer>>();
  private readonly frozen = new WeakMap<object, Encoded>();
  private bytes = 0;
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly options: { maxEntries: number; maxBytes: number } = {
      maxEntries: 500,
      maxBytes: 32 * 1024 * 1024,
    },
  ) {}

  /** The body and weak ETag of `value`; a frozen object is serialised once. */
  encode(value: unknown): Encoded | undefined {
    const isFrozenObject =
      typeof value === 'object' && value !== null && Object.isFrozen(value);
    if (isFrozenObject) {
      const kept = this.frozen.get(value);
      if (kept) return kept;
    }
    const text = JSON.stringify(value);
    if (text === undefined) return undefined;
    const body = Buffer.from(text, 'utf8');
    const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
    const encoded = { body, etag };
    if (isFrozenObject) this.frozen.set(value, encoded);
    return encoded;
  }

  /** The gzip of `encoded.body`, made once per ETag while it is kept. */
  gzip(encoded: Encoded): Promise<Buffer> {
    const kept = this.gzipped.get(encoded.etag);
    if (kept) {
      // Most recently used last: eviction takes the oldest first.
      this.gzipped.delete(encoded.etag);
      this.gzipped.set(encoded.etag, kept);
      return kept;
    }
    const made = gzip(encoded.body);
    this.gzipped.set(encoded.etag, made);
    made.then(
      zipped => {
        if (this.gzipped.get(encoded.etag) !== made) return;
        this.sizes.set(encoded.etag, zipped.length);
        this.bytes += zipped.length;
        this.evict();
      },
      () => this.forget(encoded.etag),
    );
    this.evict();
    return made;
  }

  /** How many gzipped bodies are kept (for tests). */
  get size(): number {
    return this.gzipped.size;
  }

  /** Whether the gzip of the body with this ETag is kept (for tests). */
  has(etag: string): boolean {
    return this.gzipped.has(etag);
  }

  private forget(etag: string) {
    this.gzipped.delete(etag);
    this.bytes -= this.sizes.get(etag) ?? 0;
    this.sizes.delete(etag);
  }

  private evict() {
    for (const etag of this.gzipped.keys()) {
      if (
        this.gzipped.size <= this.options.maxEntries &&
        this.bytes <= this.options.maxBytes
      )
        break;
      this.forget(etag);
    }
  }
}

/**
 * Middleware for a plugin router: `res.json` of a GET or HEAD answer of at least 1 KB is sent from
 * `EncodedJsonCache` (gzip when the request accepts it, a weak ETag and 304 to a matching
 * If-None-Match, as express's own `res.json` does); anything else goes through express unchanged.
 * The backend's compression middleware leaves a body that already has a Content-Encoding alone.
 */
export function encodedJsonResponses(
  cache: EncodedJsonCache = new EncodedJsonCache(),
): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const json = res.json.bind(res);
    res.json = (value: unknown) => {
      const encoded = res.statusCode === 200 ? cache.encode(value) : undefined;
      if (!encoded || encoded.body.length < MIN_BYTES || res.headersSent) {
        return json(value);
      }
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('ETag', encoded.etag);
      res.vary('Accept-Encoding');
      if (req.fresh) {
        res.status(304).end();
        return res;
      }
      if (req.acceptsEncodings('gzip', 'identity') !== 'gzip') {
        res.setHeader('Content-Length', encoded.body.length);
        res.end(encoded.body);
        return res;
      }
      cache.gzip(encoded).then(
        zipped => {
          res.setHeader('Content-Encoding', 'gzip');
          res.setHeader('Content-Length', zipped.length);
          res.end(zipped);
        },
        () => {
          res.setHeader('Content-Length', encoded.body.length);
          res.end(encoded.body);
        },
      );
      return res;
    };
    next();
  };
}
