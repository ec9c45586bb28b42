/**
 * The few calls of the OCI distribution API the portal needs, as the OCI Distribution Specification
 * v1.1 defines them (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md), which
 * Docker's registry (distribution/distribution) and Azure Container Registry both serve:
 * - `GET /v2/<name>/tags/list?n=<n>[&last=<tag>]`: `{name, tags}`, the next page in the `Link` header
 *   (`<...>; rel="next"`, RFC 5988), spec section "Listing Tags";
 * - `GET /v2/<name>/manifests/<tag>` with `Accept` naming the manifest media types the client
 *   understands: the digest in `Docker-Content-Digest`, spec section "Pulling manifests";
 * - `GET /v2/<name>/blobs/<digest>`: the image's config blob, whose `created` is the image's creation
 *   time (OCI image spec, config.md "created").
 * Knows nothing of the portal's errors: failures are `RegistryError`s with the HTTP status (0 when the
 * registry could not be reached).
 */

/** Manifests the client asks for: OCI image manifest and index, Docker v2 manifest and list. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

const INDEX_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Supplies the Authorization header for a repository (anonymous registries: undefined). */
export interface RegistryAuth {
  authorization(repository: string): Promise<string | undefined>;
}

export class RegistryError extends Error {
  name = 'RegistryError';
  constructor(
    message: string,
    /** HTTP status of the registry's answer; 0 when it could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  /** The config blob of an image manifest; undefined for an index (several images). */
  configDigest?: string;
}

export class OciRegistryClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: {
    baseUrl: string;
    auth?: RegistryAuth;
    fetch?: typeof fetch;
    timeoutMs?: number;
  }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.auth = options.auth;
  }

  private readonly auth?: RegistryAuth;

  /** Every tag of the repository, following the `Link` header's next pages. */
  async listTags(repository: string, pageSize = 100): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repository}/tags/list?n=${pageSize}`;
    for (let pages = 0; next && pages < 100; pages++) {
      const res = await this.get(repository, next);
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      next = nextLink(res.headers.get('link'));
    }
    return tags;
  }

  /** The digest and media type of the tag's manifest; a `RegistryError` with status 404 when absent. */
  async manifest(repository: string, tag: string): Promise<ManifestInfo> {
    const res = await this.get(
      repository,
      `/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
      { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
    );
    const text = await res.text();
    const body = JSON.parse(text) as {
      mediaType?: string;
      config?: { digest?: string };
    };
    const mediaType =
      res.headers.get('content-type')?.split(';')[0].trim() ??
      body.mediaType ??
      '';
    const digest = res.headers.get('docker-content-digest');
    if (!digest) {
      throw new RegistryError(
        `the manifest of ${repository}:${tag} came without Docker-Content-Digest`,
        res.status,
      );
    }
    return {
      digest,
      mediaType,
      configDigest: INDEX_MEDIA_TYPES.has(mediaType)
        ? undefined
        : body.config?.digest,
    };
  }

  /** The image's creation time from its config blob, when the config says one. */
  async created(
    repository: string,
    configDigest: string,
  ): Promise<string | undefined> {
    const res = await this.get(
      repository,
      `/v2/${repository}/blobs/${configDigest}`,
    );
    const config = (await res.json()) as { created?: string };
    return typeof config.created === 'string' ? config.created : undefined;
  }

  private async get(
    repository: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const authorization = await this.auth?.authorization(repository);
    let res: Response;
    try {
      res = await this.fetch(new URL(path, `${this.baseUrl}/`), {
        headers: {
          ...headers,
          ...(authorization ? { Authorization: authorization } : {}),
        },
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new RegistryError('the registry could not be reached', 0);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(
        `the registry answered HTTP ${res.status}`,
        res.status,
      );
    }
    return res;
  }
}

/** The `rel="next"` target of a `Link` header (RFC 5988), relative to the registry. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) {
      const url = new URL(m[1], 'http://registry.invalid');
      return `${url.pathname}${url.search}`;
    }
  }
  return undefined;
}
