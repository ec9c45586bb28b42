import { mockServices } from '@backstage/backend-test-utils';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { RunningRegistry, startRegistry } from '@devops-app/e2e';
import { ImageRegistry } from './ImageRegistry';

/*
 * Against a real registry: Debian's docker-registry on 127.0.0.1 (scripts/start-registry.sh), images
 * pushed through its HTTP API by scripts/push-sample-images.mts.
 */
const entity = {
  metadata: {
    name: 'inference-service',
    annotations: { 'devops-app.io/image-repository': 'inference' },
  },
};

let registry: RunningRegistry;
let digests: Record<string, string>;

beforeAll(async () => {
  registry = await startRegistry();
  // Pushed in this order: 0.10.0 is the newest image although "0.2.0" sorts after it by name.
  digests = await registry.push('inference', '0.1.0', '0.2.0', '0.10.0');
}, 60_000);

afterAll(() => registry?.stop());

function counting() {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push(String(input));
    return fetch(input, init);
  };
  return { calls, fetchImpl };
}

function imageRegistry(
  extra: Record<string, unknown> = {},
  fetchImpl?: typeof fetch,
) {
  return ImageRegistry.fromConfig(
    mockServices.rootConfig({
      data: {
        devopsApp: {
          registry: { url: registry.url, name: 'local-registry', ...extra },
        },
      },
    }),
    { fetch: fetchImpl },
  )!;
}

describe('ImageRegistry on a real registry', () => {
  it('lists the tags newest first with the digests the registry gave at push', async () => {
    const answer = await imageRegistry().versions(entity);
    expect(answer).toMatchObject({
      configured: true,
      registry: 'local-registry',
      repository: 'inference',
    });
    expect(answer.versions.map(v => v.tag)).toEqual([
      '0.10.0',
      '0.2.0',
      '0.1.0',
    ]);
    for (const v of answer.versions) {
      expect(v.digest).toBe(digests[v.tag]);
      expect(Date.parse(v.created!)).toBeGreaterThan(Date.now() - 3600_000);
    }
  });

  it('resolves a tag to its manifest digest, and refuses an absent tag naming it (400)', async () => {
    const r = imageRegistry();
    await expect(r.resolve(entity, '0.2.0')).resolves.toEqual({
      registry: 'local-registry',
      repository: 'inference',
      tag: '0.2.0',
      digest: digests['0.2.0'],
    });
    const refusal = r.resolve(entity, '0.9.9');
    await expect(refusal).rejects.toBeInstanceOf(InputError);
    await expect(refusal).rejects.toThrow(
      'tag: "0.9.9" is not in local-registry/inference',
    );
  });

  it('keeps the list for cacheSeconds, and re-reads after; a deploy check is never cached', async () => {
    let now = 1_000_000;
    const { calls, fetchImpl } = counting();
    const r = imageRegistry({ cacheSeconds: 30 }, fetchImpl);
    (r as any).options.now = () => now;
    await r.versions(entity);
    const first = calls.length;
    // tags/list + one manifest and one config blob per tag
    expect(first).toBe(1 + 3 * 2);
    now += 29_000;
    await r.versions(entity);
    expect(calls.length).toBe(first);
    now += 2_000;
    await r.versions(entity);
    // config blobs are kept by digest (immutable): only the list and the manifests are read again
    expect(calls.length).toBe(first + 1 + 3);
    await r.resolve(entity, '0.1.0');
    await r.resolve(entity, '0.1.0');
    expect(calls.length).toBe(first + 1 + 3 + 2);
  });

  it('uses devopsApp.registry.repositories or .repository when the entity has no annotation', async () => {
    const bare = { metadata: { name: 'inference-service' } };
    expect(
      imageRegistry({
        repositories: { 'inference-service': 'inference' },
      }).repositoryOf(bare),
    ).toBe('inference');
    expect(imageRegistry({ repository: 'inference' }).repositoryOf(bare)).toBe(
      'inference',
    );
    expect(() => imageRegistry().repositoryOf(bare)).toThrow(
      /devops-app.io\/image-repository/,
    );
  });
});

describe('ImageRegistry when the registry does not answer', () => {
  it('answers 503 naming the registry, never its URL, for the list and for a deploy check', async () => {
    const down = await startRegistry();
    const url = down.url;
    await down.stop();
    const r = ImageRegistry.fromConfig(
      mockServices.rootConfig({
        data: {
          devopsApp: {
            registry: { url, name: 'local-registry', timeoutMs: 2000 },
          },
        },
      }),
    )!;
    for (const attempt of [r.versions(entity), r.resolve(entity, '0.2.0')]) {
      const error = await attempt.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error!.message).toContain(
        'The image registry local-registry is unreachable',
      );
      expect(error!.message).not.toContain('127.0.0.1');
    }
  });
});
