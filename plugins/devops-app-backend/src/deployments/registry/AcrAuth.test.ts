import { AccessToken, TokenCredential } from '@azure/identity';
import { mockServices } from '@backstage/backend-test-utils';
import { AcrStandIn, startAcrStandIn } from './__testUtils__/acrStandIn';
import { ACR_AAD_SCOPE, AcrAuth } from './AcrAuth';
import { ImageRegistry } from './ImageRegistry';
import { OciRegistryClient } from './OciRegistryClient';

/*
 * The production path: ACR with the backend's Entra ID identity, against a stand-in on 127.0.0.1 that
 * answers as ACR documents (see __testUtils__/acrStandIn.ts). The Entra ID token itself is what
 * DefaultAzureCredential would return; here a credential that hands out the stand-in's token.
 */
let acr: AcrStandIn;

beforeAll(async () => {
  acr = await startAcrStandIn();
});
afterAll(() => acr?.close());
beforeEach(() => acr.requests.splice(0));

function credential(token = () => acr.aadToken) {
  const scopes: string[] = [];
  const cred: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(String(scope));
      return { token: token(), expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
  return { cred, scopes };
}

describe('ACR token exchange', () => {
  it('exchanges the Entra ID token for a refresh token, then a pull token per repository, and reuses them', async () => {
    const { cred, scopes } = credential();
    const digest = acr.addImage('inference', '0.2.0', '2026-11-30T10:00:00Z');
    acr.addImage('trainer', '1.0.0', '2026-11-30T10:00:00Z');
    const client = new OciRegistryClient({
      baseUrl: acr.url,
      auth: new AcrAuth({ baseUrl: acr.url, credential: cred }),
    });
    expect((await client.manifest('inference', '0.2.0')).digest).toBe(digest);
    expect(await client.listTags('trainer')).toEqual(['1.0.0']);
    expect(await client.listTags('inference')).toEqual(['0.2.0']);
    expect(scopes).toEqual([ACR_AAD_SCOPE]);
    // One exchange, one access token per repository scope, none again for the third call.
    expect(acr.requests.filter(r => r.startsWith('POST'))).toEqual([
      'POST /oauth2/exchange',
      'POST /oauth2/token',
      'POST /oauth2/token',
    ]);
  });

  it('without the exchange the registry answers 401, and a refused Entra ID token is a 503 naming the registry', async () => {
    acr.addImage('inference', '0.2.0', '2026-11-30T10:00:00Z');
    const anonymous = new OciRegistryClient({ baseUrl: acr.url });
    await expect(anonymous.listTags('inference')).rejects.toMatchObject({
      status: 401,
    });

    const { cred } = credential(() => 'not-the-registry-token');
    const registry = new ImageRegistry({
      name: 'devopsapp.azurecr.io',
      client: new OciRegistryClient({
        baseUrl: acr.url,
        auth: new AcrAuth({ baseUrl: acr.url, credential: cred }),
      }),
      repository: 'inference',
      cacheMs: 30_000,
    });
    await expect(
      registry.resolve({ metadata: { name: 'inference-service' } }, '0.2.0'),
    ).rejects.toThrow(
      "The image registry devopsapp.azurecr.io refused the portal's credentials (HTTP 401)",
    );
  });

  it('follows the Link header through every page of tags', async () => {
    const tags = Array.from({ length: 7 }, (_, i) => `1.${i}.0`);
    for (const tag of tags) acr.addImage('paged', tag, '2026-11-30T10:00:00Z');
    const client = new OciRegistryClient({
      baseUrl: acr.url,
      auth: new AcrAuth({ baseUrl: acr.url, credential: credential().cred }),
    });
    expect(await client.listTags('paged', 3)).toEqual(tags);
    expect(acr.requests.filter(r => r.includes('/tags/list'))).toEqual(
      [
        '/v2/paged/tags/list?n=3',
        '/v2/paged/tags/list?last=1.2.0&n=3',
        '/v2/paged/tags/list?last=1.5.0&n=3',
      ].map(p => `GET ${p}`),
    );
  });

  it('is what devopsApp.registry chooses for an *.azurecr.io host', () => {
    const r = ImageRegistry.fromConfig(
      mockServices.rootConfig({
        data: {
          devopsApp: {
            registry: {
              url: 'https://devopsapp.azurecr.io',
              repository: 'inference',
            },
          },
        },
      }),
    )!;
    expect(r.name).toBe('devopsapp.azurecr.io');
    expect((r as any).options.client.auth).toBeInstanceOf(AcrAuth);
  });
});
