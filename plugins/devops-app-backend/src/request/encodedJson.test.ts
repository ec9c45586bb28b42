import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import request from 'supertest';
import { once } from 'node:events';
import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { EncodedJsonCache, encodedJsonResponses } from './encodedJson';

/** A JSON answer well over the 1 KB threshold. */
const big = (n: number) => ({
  items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${n}-${i}` })),
});

/** The plugin router behind the root router's own compression, as the backend mounts it. */
function app(cache = new EncodedJsonCache()) {
  const frozen = Object.freeze(big(0));
  const root = express();
  root.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).compression(),
  );
  const router = express.Router();
  router.use(encodedJsonResponses(cache));
  router.get('/big/:n', (req, res) => {
    res.json(big(Number(req.params.n)));
  });
  router.get('/frozen', (_req, res) => {
    res.json(frozen);
  });
  router.get('/small', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/missing', (_req, res) => {
    res.status(404).json({ error: big(9) });
  });
  router.post('/big', (_req, res) => {
    res.json(big(1));
  });
  root.use(router);
  return { root, cache, frozen };
}

/** A GET with node's own client, which does not decode: the bytes as sent. */
async function rawGet(
  root: express.Express,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const server = root.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((done, fail) => {
      http
        .get({ host: '127.0.0.1', port, path, headers }, res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
        })
        .on('error', fail);
    });
  } finally {
    server.close();
  }
}

describe('encodedJsonResponses', () => {
  it('gzips a large GET answer once per distinct body, behind the root compression, decoding to the same JSON', async () => {
    const { root, cache } = app();
    const first = await rawGet(root, '/big/1', { 'Accept-Encoding': 'gzip' });
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(first.headers.vary).toMatch(/Accept-Encoding/);
    expect(first.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    // Encoded once: the root compression left it alone (one gunzip gives the JSON).
    expect(JSON.parse(gunzipSync(first.body).toString('utf8'))).toEqual(big(1));
    expect(Number(first.headers['content-length'])).toBe(first.body.length);

    const again = await request(root)
      .get('/big/1')
      .set('Accept-Encoding', 'gzip, deflate, br');
    expect(again.body).toEqual(big(1));
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(cache.size).toBe(1);

    const other = await request(root)
      .get('/big/2')
      .set('Accept-Encoding', 'gzip');
    expect(other.body).toEqual(big(2));
    expect(other.headers.etag).not.toBe(first.headers.etag);
    expect(cache.size).toBe(2);
  });

  it('sends the plain body to a client that does not accept gzip', async () => {
    const { root } = app();
    const res = await rawGet(root, '/big/3', { 'Accept-Encoding': 'identity' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.body.toString('utf8'))).toEqual(big(3));
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
  });

  it('answers 304 with no body to a matching If-None-Match, and the body to a stale one', async () => {
    const { root } = app();
    const first = await request(root).get('/big/4');
    const etag = first.headers.etag;
    const notModified = await request(root)
      .get('/big/4')
      .set('If-None-Match', etag);
    expect(notModified.status).toBe(304);
    expect(notModified.text ?? '').toBe('');
    const changed = await request(root)
      .get('/big/5')
      .set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual(big(5));
  });

  it('serialises a frozen answer once and a fresh object every time', () => {
    const cache = new EncodedJsonCache();
    const frozen = Object.freeze(big(6));
    expect(cache.encode(frozen)).toBe(cache.encode(frozen));
    const fresh = big(6);
    const a = cache.encode(fresh);
    fresh.items[0].name = 'changed';
    const b = cache.encode(fresh);
    expect(b).not.toBe(a);
    expect(b!.etag).not.toBe(a!.etag);
    expect(JSON.parse(b!.body.toString('utf8')).items[0].name).toBe('changed');
  });

  it('leaves small answers, errors and POST answers to express and the root compression', async () => {
    const { root, cache } = app();
    const small = await request(root)
      .get('/small')
      .set('Accept-Encoding', 'gzip');
    expect(small.body).toEqual({ ok: true });
    expect(small.headers['content-encoding']).toBeUndefined();
    const missing = await request(root)
      .get('/missing')
      .set('Accept-Encoding', 'gzip');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: big(9) });
    const posted = await request(root)
      .post('/big')
      .set('Accept-Encoding', 'gzip');
    expect(posted.body).toEqual(big(1));
    // Compressed by the root compression (its stream), not kept by the cache.
    expect(posted.headers['content-encoding']).toBe('gzip');
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries gzipped bodies, dropping the least recently used', async () => {
    const { root, cache } = app(
      new EncodedJsonCache({ maxEntries: 2, maxBytes: 1024 * 1024 }),
    );
    const get = (n: number) =>
      request(root).get(`/big/${n}`).set('Accept-Encoding', 'gzip');
    const etags = new Map<number, string>();
    for (const n of [1, 2, 1, 3]) {
      const res = await get(n);
      expect(res.body).toEqual(big(n));
      etags.set(n, res.headers.etag);
    }
    expect(cache.size).toBe(2);
    // 2 was the least recently used when 3 came.
    expect(cache.has(etags.get(1)!)).toBe(true);
    expect(cache.has(etags.get(2)!)).toBe(false);
    expect(cache.has(etags.get(3)!)).toBe(true);
  });
});
