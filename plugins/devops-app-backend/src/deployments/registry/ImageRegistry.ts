import { RootConfigService } from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ANNOTATION_IMAGE_REPOSITORY,
  EntityLike,
  ImageVersion,
  ImageVersionsResponse,
} from '@devops-app/plugin-devops-app-common';
import { AcrAuth } from './AcrAuth';
import {
  OciRegistryClient,
  RegistryAuth,
  RegistryError,
} from './OciRegistryClient';

/** The repository grammar of the distribution spec ("Pulling manifests", `<name>`). */
const REPOSITORY =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Tags whose manifests are read for the list (newest tags by name first beyond that). */
const MAX_LISTED = 100;

/** The image a deploy commits: what the registry says the tag is now. */
export interface ResolvedImage {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

/**
 * The entity's image in `devopsApp.registry`: its versions for the Deploy dialog (newest first, kept
 * `cacheSeconds`, default 30) and the check of a deploy's tag (never cached: the digest a deploy
 * records is what the registry answers at that moment). Errors name the registry by its `name`
 * (default: the URL's host), never its URL: a tag that is not there is a 400 naming the tag, a
 * registry that cannot be reached or refuses the portal a 503.
 */
export class ImageRegistry {
  private readonly cache = new Map<
    string,
    { at: number; versions: Promise<ImageVersion[]> }
  >();
  /** Creation times by config digest (immutable). */
  private readonly created = new Map<string, string | undefined>();

  static fromConfig(
    config: RootConfigService,
    options: { fetch?: typeof fetch; auth?: RegistryAuth } = {},
  ): ImageRegistry | undefined {
    const c = config.getOptionalConfig('devopsApp.registry');
    if (!c) return undefined;
    const url = c.getString('url');
    const host = new URL(url).host;
    const authKind =
      c.getOptionalString('auth') ??
      (host.endsWith('.azurecr.io') ? 'azure' : 'anonymous');
    if (authKind !== 'azure' && authKind !== 'anonymous') {
      throw new Error(
        `devopsApp.registry.auth must be azure or anonymous, not ${authKind}`,
      );
    }
    const auth =
      options.auth ??
      (authKind === 'azure'
        ? new AcrAuth({
            baseUrl: url,
            tenantId: c.getOptionalString('tenantId'),
            fetch: options.fetch,
          })
        : undefined);
    const repositories = c.getOptionalConfig('repositories');
    return new ImageRegistry({
      name: c.getOptionalString('name') ?? host,
      client: new OciRegistryClient({
        baseUrl: url,
        auth,
        fetch: options.fetch,
        timeoutMs: c.getOptionalNumber('timeoutMs'),
      }),
      repository: c.getOptionalString('repository'),
      repositories: Object.fromEntries(
        (repositories?.keys() ?? []).map(k => [k, repositories!.getString(k)]),
      ),
      cacheMs: (c.getOptionalNumber('cacheSeconds') ?? 30) * 1000,
    });
  }

  constructor(
    private readonly options: {
      name: string;
      client: OciRegistryClient;
      /** Default repository; per entity name in `repositories`, per entity in the annotation. */
      repository?: string;
      repositories?: Record<string, string>;
      cacheMs: number;
      now?: () => number;
    },
  ) {}

  get name(): string {
    return this.options.name;
  }

  /** The entity's repository: its annotation, else `repositories.<name>`, else `repository`. */
  repositoryOf(entity: EntityLike): string {
    const repository =
      entity.metadata.annotations?.[ANNOTATION_IMAGE_REPOSITORY] ??
      this.options.repositories?.[entity.metadata.name] ??
      this.options.repository;
    if (!repository) {
      throw new InputError(
        `${ANNOTATION_IMAGE_REPOSITORY}: ${entity.metadata.name} names no image repository (set the annotation or devopsApp.registry.repositories.${entity.metadata.name})`,
      );
    }
    if (!REPOSITORY.test(repository)) {
      throw new InputError(
        `${ANNOTATION_IMAGE_REPOSITORY}: "${repository}" is not a repository name`,
      );
    }
    return repository;
  }

  /** The image's tags, newest first (by creation time, then by tag), cached for a short while. */
  async versions(entity: EntityLike): Promise<ImageVersionsResponse> {
    const repository = this.repositoryOf(entity);
    const now = (this.options.now ?? Date.now)();
    let held = this.cache.get(repository);
    if (!held || now - held.at >= this.options.cacheMs) {
      held = { at: now, versions: this.read(repository) };
      this.cache.set(repository, held);
      held.versions.catch(() => {
        if (this.cache.get(repository) === held) this.cache.delete(repository);
      });
    }
    return {
      configured: true,
      registry: this.name,
      repository,
      versions: await held.versions,
    };
  }

  /** The tag as the registry holds it now: 400 naming the tag when it is not there, 503 when down. */
  async resolve(entity: EntityLike, tag: string): Promise<ResolvedImage> {
    const repository = this.repositoryOf(entity);
    try {
      const manifest = await this.options.client.manifest(repository, tag);
      return { registry: this.name, repository, tag, digest: manifest.digest };
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404) {
        throw new InputError(
          `tag: "${tag}" is not in ${this.name}/${repository}`,
        );
      }
      throw this.unavailable(e);
    }
  }

  private async read(repository: string): Promise<ImageVersion[]> {
    const { client } = this.options;
    let tags: string[];
    try {
      tags = await client.listTags(repository);
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404) {
        throw new NotFoundError(
          `The repository ${repository} is not in ${this.name}`,
        );
      }
      throw this.unavailable(e);
    }
    const listed = tags.sort(compareTagsDescending).slice(0, MAX_LISTED);
    const versions: ImageVersion[] = [];
    // A few manifests at a time: the registry is also serving pulls.
    for (let i = 0; i < listed.length; i += 8) {
      const batch = await Promise.all(
        listed
          .slice(i, i + 8)
          .map(async (tag): Promise<ImageVersion | undefined> => {
            try {
              const manifest = await client.manifest(repository, tag);
              return {
                tag,
                digest: manifest.digest,
                created: manifest.configDigest
                  ? await this.createdOf(repository, manifest.configDigest)
                  : undefined,
              };
            } catch (e) {
              // A tag deleted between the list and its manifest is simply gone.
              if (e instanceof RegistryError && e.status === 404)
                return undefined;
              throw this.unavailable(e);
            }
          }),
      );
      versions.push(...batch.filter((v): v is ImageVersion => Boolean(v)));
    }
    return versions.sort(
      (a, b) =>
        (b.created ?? '').localeCompare(a.created ?? '') ||
        compareTagsDescending(a.tag, b.tag),
    );
  }

  private async createdOf(
    repository: string,
    configDigest: string,
  ): Promise<string | undefined> {
    if (this.created.has(configDigest)) return this.created.get(configDigest);
    const created = await this.options.client.created(repository, configDigest);
    if (this.created.size > 5000) this.created.clear();
    this.created.set(configDigest, created);
    return created;
  }

  private unavailable(e: unknown): Error {
    if (!(e instanceof RegistryError)) return e as Error;
    if (e.status === 401 || e.status === 403) {
      return new ServiceUnavailableError(
        `The image registry ${this.name} refused the portal's credentials (HTTP ${e.status}); deploys are refused until it answers`,
      );
    }
    return new ServiceUnavailableError(
      `The image registry ${this.name} is unreachable (${
        e.status ? `HTTP ${e.status}` : 'no answer'
      }); deploys are refused until it answers`,
    );
  }
}

/** Versions by their numbers (0.10.0 after 0.9.0), newest first; other tags by name. */
export function compareTagsDescending(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c =
      Number.isNaN(nx) || Number.isNaN(ny) ? y.localeCompare(x) : ny - nx;
    if (c !== 0) return c;
  }
  return 0;
}
