import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A stand-in for an Azure Container Registry on 127.0.0.1 that answers as ACR documents:
 * - `POST /oauth2/exchange` (form: grant_type=access_token, service, access_token[, tenant]) ->
 *   `{"refresh_token"}`; a wrong grant, service or Entra ID token -> 401
 *   (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md, "Exchanging AAD token for ACR refresh
 *   token"; https://learn.microsoft.com/rest/api/containerregistry/refresh-tokens/get-from-exchange);
 * - `POST /oauth2/token` (form: grant_type=refresh_token, service, scope, refresh_token) ->
 *   `{"access_token"}` valid for that scope only (AAD-OAuth.md "Getting an ACR access token";
 *   https://learn.microsoft.com/rest/api/containerregistry/access-tokens/get);
 * - `/v2/...` without a valid bearer for `repository:<name>:pull` -> 401 with the challenge
 *   `WWW-Authenticate: Bearer realm="<url>/oauth2/token",service="<host>",scope="repository:<name>:pull"`
 *   (AAD-OAuth.md "Calling the registry"); with one: the tag list in pages of `n` with `Link:
 *   </v2/<name>/tags/list?last=<tag>&n=<n>>; rel="next"` (OCI distribution spec "Listing Tags", which
 *   ACR follows), manifests with `Docker-Content-Digest` when `Accept` names their media type, 404
 *   `MANIFEST_UNKNOWN` otherwise, config blobs.
 * Tokens are JWT-shaped (header.payload.signature, `exp` in the payload) like ACR's.
 */
export interface AcrStandIn {
  url: string;
  host: string;
  /** The Entra ID token the stand-in accepts (what the test's credential returns). */
  aadToken: string;
  /** Requests received, as "METHOD path" (query included). */
  requests: string[];
  /** Adds an image; `created` goes to its config blob. Returns the manifest digest. */
  addImage(repository: string, tag: string, created: string): string;
  close(): Promise<void>;
}

const sha = (s: string) =>
  `sha256:${createHash('sha256').update(s).digest('hex')}`;

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

export async function startAcrStandIn(): Promise<AcrStandIn> {
  const aadToken = jwt({
    aud: 'https://containerregistry.azure.net',
    oid: randomUUID(),
  });
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, string>(); // token -> scope
  const repos = new Map<
    string,
    Map<string, { manifest: string; digest: string }>
  >();
  const blobs = new Map<string, string>();
  const requests: string[] = [];
  let host = '';
  let url = '';

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const unauthorized = (res: ServerResponse, scope?: string) =>
    send(
      res,
      401,
      {
        errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
      },
      {
        'WWW-Authenticate': `Bearer realm="${url}/oauth2/token",service="${host}"${
          scope ? `,scope="${scope}"` : ''
        }`,
      },
    );

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    requests.push(`${req.method} ${u.pathname}${u.search}`);
    if (req.method === 'POST' && u.pathname === '/oauth2/exchange') {
      const f = await form(req);
      if (
        f.get('grant_type') !== 'access_token' ||
        f.get('service') !== host ||
        f.get('access_token') !== aadToken
      ) {
        return unauthorized(res);
      }
      const token = jwt({
        exp: Math.floor(Date.now() / 1000) + 3 * 3600,
        jti: randomUUID(),
      });
      refreshTokens.add(token);
      return send(res, 200, { refresh_token: token });
    }
    if (req.method === 'POST' && u.pathname === '/oauth2/token') {
      const f = await form(req);
      const scope = f.get('scope') ?? '';
      if (
        f.get('grant_type') !== 'refresh_token' ||
        f.get('service') !== host ||
        !refreshTokens.has(f.get('refresh_token') ?? '') ||
        !/^repository:[^:]+:pull$/.test(scope)
      ) {
        return unauthorized(res);
      }
      const token = jwt({
        exp: Math.floor(Date.now() / 1000) + 75 * 60,
        jti: randomUUID(),
      });
      accessTokens.set(token, scope);
      return send(res, 200, { access_token: token });
    }
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/[^/]+|blobs\/[^/]+)$/.exec(
      u.pathname,
    );
    if (!m) return send(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
    const [, name, rest] = m;
    const scope = `repository:${name}:pull`;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || accessTokens.get(bearer) !== scope)
      return unauthorized(res, scope);
    const tags = repos.get(name);
    if (!tags) return send(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
    if (rest === 'tags/list') {
      const all = [...tags.keys()].sort();
      const n = Number(u.searchParams.get('n') ?? all.length);
      const last = u.searchParams.get('last');
      const from = last ? all.findIndex(t => t > last) : 0;
      const page = from < 0 ? [] : all.slice(from, from + n);
      const headers: Record<string, string> = {};
      if (from >= 0 && from + n < all.length) {
        headers.Link = `</v2/${name}/tags/list?last=${encodeURIComponent(
          page[page.length - 1],
        )}&n=${n}>; rel="next"`;
      }
      return send(res, 200, { name, tags: page }, headers);
    }
    if (rest.startsWith('manifests/')) {
      const image = tags.get(
        decodeURIComponent(rest.slice('manifests/'.length)),
      );
      const type = 'application/vnd.oci.image.manifest.v1+json';
      if (!image || !(req.headers.accept ?? '').includes(type)) {
        return send(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
      }
      return send(res, 200, image.manifest, {
        'Content-Type': type,
        'Docker-Content-Digest': image.digest,
      });
    }
    const blob = blobs.get(rest.slice('blobs/'.length));
    return blob
      ? send(res, 200, blob)
      : send(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `http://${host}`;
  return {
    url,
    host,
    aadToken,
    requests,
    addImage(repository, tag, created) {
      const config = JSON.stringify({
        created,
        architecture: 'amd64',
        os: 'linux',
      });
      blobs.set(sha(config), config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha(config),
          size: config.length,
        },
        layers: [],
      });
      const digest = sha(manifest);
      if (!repos.has(repository)) repos.set(repository, new Map());
      repos.get(repository)!.set(tag, { manifest, digest });
      return digest;
    },
    close: () => new Promise(r => server.close(() => r())),
  };
}
