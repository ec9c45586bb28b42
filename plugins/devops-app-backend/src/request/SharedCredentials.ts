import {
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { Request } from 'express';

type CredentialsOptions = {
  allow?: Array<keyof BackstagePrincipalTypes>;
  allowLimitedAccess?: boolean;
};

/**
 * The plugin's `httpAuth`, with the verification of a bearer token shared for a short window: requests
 * that present the very same `Authorization` header (and ask with the same options) within `shareMs`,
 * and before the token expires, get the credentials its first verification gave. A viewer's cards and
 * panels arrive together with one token; each verification is a JWT signature check (jose, WebCrypto
 * ECDSA), which was a tenth of the event loop under 100 to 200 concurrent readers.
 *
 * Nothing is shared between different headers (the key is the header's SHA-256), a failed verification
 * is not kept, and requests without a bearer token (a cookie, none) go to `httpAuth` as they are.
 */
export class SharedCredentials implements HttpAuthService {
  private readonly entries = new Map<
    string,
    { credentials: Promise<BackstageCredentials>; until: number }
  >();

  constructor(
    private readonly httpAuth: HttpAuthService,
    private readonly options: {
      shareMs: number;
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  credentials<TAllowed extends keyof BackstagePrincipalTypes = 'unknown'>(
    req: Request<any, any, any, any, any>,
    options?: { allow?: Array<TAllowed>; allowLimitedAccess?: boolean },
  ): Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>> {
    const header = req.headers.authorization;
    if (this.options.shareMs <= 0 || !header || !/^Bearer /i.test(header)) {
      return this.httpAuth.credentials(req, options);
    }
    const now = this.options.now?.() ?? Date.now();
    const key = `${createHash('sha256')
      .update(header)
      .digest('base64url')}\n${optionsKey(options)}`;
    const kept = this.entries.get(key);
    if (kept && now < kept.until) {
      return kept.credentials as Promise<
        BackstageCredentials<BackstagePrincipalTypes[TAllowed]>
      >;
    }
    this.evict(now);
    const credentials = this.httpAuth.credentials(req, options);
    const entry = { credentials, until: now + this.options.shareMs };
    this.entries.delete(key);
    this.entries.set(key, entry);
    credentials.then(
      verified => {
        // Never past the token's own expiry.
        const expiresAt = verified.expiresAt?.getTime();
        if (expiresAt !== undefined && expiresAt < entry.until) {
          entry.until = expiresAt;
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return credentials;
  }

  issueUserCookie(
    res: Parameters<HttpAuthService['issueUserCookie']>[0],
    options?: Parameters<HttpAuthService['issueUserCookie']>[1],
  ): Promise<{ expiresAt: Date }> {
    return this.httpAuth.issueUserCookie(res, options);
  }

  /** How many verifications are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private evict(now: number) {
    const max = this.options.maxEntries ?? 5000;
    if (this.entries.size < max) return;
    for (const [key, entry] of this.entries) {
      if (now >= entry.until) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size < max) break;
      this.entries.delete(key);
    }
  }
}

function optionsKey(options: CredentialsOptions | undefined): string {
  // `allow: []` refuses every principal while no `allow` accepts any: they are different keys.
  return JSON.stringify([
    options?.allow ? [...options.allow].sort() : null,
    Boolean(options?.allowLimitedAccess),
  ]);
}

/** `httpAuth` with verifications shared for `devopsApp.readShareMs` (default 2000; 0: not shared). */
export function sharedCredentialsFromConfig(
  config: RootConfigService,
  httpAuth: HttpAuthService,
): HttpAuthService {
  const shareMs = config.getOptionalNumber('devopsApp.readShareMs') ?? 2000;
  return shareMs > 0 ? new SharedCredentials(httpAuth, { shareMs }) : httpAuth;
}
