import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { RegistryAuth, RegistryError } from './OciRegistryClient';

/** The Entra ID scope of Azure Container Registry's data plane. */
export const ACR_AAD_SCOPE = 'https://containerregistry.azure.net/.default';

/**
 * Azure Container Registry with the backend's Entra ID identity (managed identity, workload identity
 * or a developer's az login: `DefaultAzureCredential`), by ACR's documented token exchange
 * (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md, and the REST reference
 * https://learn.microsoft.com/rest/api/containerregistry/refresh-tokens/get-from-exchange and
 * .../access-tokens/get):
 * 1. an Entra ID access token for `https://containerregistry.azure.net/.default`;
 * 2. `POST https://<registry>/oauth2/exchange`, form `grant_type=access_token&service=<registry>
 *    &access_token=<AAD token>[&tenant=<tenant>]` -> `{"refresh_token": ...}` (an ACR refresh token);
 * 3. `POST https://<registry>/oauth2/token`, form `grant_type=refresh_token&service=<registry>
 *    &scope=repository:<repository>:pull&refresh_token=<refresh token>` -> `{"access_token": ...}`;
 * 4. `Authorization: Bearer <access token>` on the `/v2/` calls.
 * The identity needs the AcrPull role on the registry. Tokens are kept until a minute before their
 * `exp` (both ACR tokens are JWTs; the refresh token lives about 3 hours, the access token about 75
 * minutes), or 5 minutes when the token says no expiry.
 */
export class AcrAuth implements RegistryAuth {
  private readonly baseUrl: string;
  private readonly service: string;
  private readonly fetch: typeof fetch;
  private credential?: TokenCredential;
  private readonly refreshTokens = new Map<string, Promise<Expiring>>();
  private readonly access = new Map<string, Promise<Expiring>>();

  constructor(
    private readonly options: {
      /** The registry's URL, https://<name>.azurecr.io (a stand-in's http URL in tests). */
      baseUrl: string;
      /** Defaults to `DefaultAzureCredential`, made on first use. */
      credential?: TokenCredential;
      tenantId?: string;
      fetch?: typeof fetch;
      now?: () => number;
    },
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.service = new URL(this.baseUrl).host;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.credential = options.credential;
  }

  async authorization(repository: string): Promise<string> {
    const scope = `repository:${repository}:pull`;
    const token = await this.cached(this.access, scope, () =>
      this.accessToken(scope),
    );
    return `Bearer ${token}`;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async cached(
    map: Map<string, Promise<Expiring>>,
    key: string,
    make: () => Promise<Expiring>,
  ): Promise<string> {
    const held = map.get(key);
    if (held) {
      const value = await held.catch(() => undefined);
      if (value && value.expiresAt > this.now()) return value.token;
    }
    const made = make();
    map.set(key, made);
    made.catch(() => map.delete(key));
    return (await made).token;
  }

  private async refreshToken(): Promise<string> {
    return this.cached(this.refreshTokens, 'refresh', async () => {
      this.credential ??= new DefaultAzureCredential();
      const aad = await this.credential
        .getToken(ACR_AAD_SCOPE)
        .catch(() => null);
      if (!aad) {
        throw new RegistryError(
          'no Entra ID token for the registry (DefaultAzureCredential)',
          401,
        );
      }
      const form: Record<string, string> = {
        grant_type: 'access_token',
        service: this.service,
        access_token: aad.token,
      };
      if (this.options.tenantId) form.tenant = this.options.tenantId;
      const body = await this.post('/oauth2/exchange', form);
      return this.expiring(body.refresh_token);
    });
  }

  private async accessToken(scope: string): Promise<Expiring> {
    const body = await this.post('/oauth2/token', {
      grant_type: 'refresh_token',
      service: this.service,
      scope,
      refresh_token: await this.refreshToken(),
    });
    return this.expiring(body.access_token);
  }

  private async post(
    path: string,
    form: Record<string, string>,
  ): Promise<{ refresh_token?: string; access_token?: string }> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new RegistryError('the registry could not be reached', 0);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(
        `the registry's ${path} answered HTTP ${res.status}`,
        res.status,
      );
    }
    return (await res.json()) as {
      refresh_token?: string;
      access_token?: string;
    };
  }

  private expiring(token: string | undefined): Expiring {
    if (!token) {
      throw new RegistryError('the registry issued no token', 401);
    }
    const exp = jwtExpiry(token);
    return {
      token,
      expiresAt: exp ? exp - 60_000 : this.now() + 5 * 60_000,
    };
  }
}

interface Expiring {
  token: string;
  expiresAt: number;
}

/** `exp` of a JWT in ms, read without verifying (the registry verifies its own tokens). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
