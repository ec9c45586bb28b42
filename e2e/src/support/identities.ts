import { Browser, BrowserContext, Page } from 'playwright-core';
import { onCatalogPage } from './browser';
import { resolve } from 'node:path';
import { repoRoot, RunningPortal, startPortal } from './portal';

/*
 * Real sign-in as any catalog user, for tests that need two people (a requester and an approver): the
 * backend's oauth2Proxy auth provider (@backstage/plugin-auth-backend-module-oauth2-proxy-provider,
 * resolver forwardedUserMatchingUserEntityName) issues a real Backstage token for the User entity named
 * by the X-Forwarded-User header, as it does behind oauth2-proxy in production. The provider exists only
 * with the overlay below: app-config.yaml alone (every other test, `make start`) has no oauth2Proxy.
 */

/** The overlay that configures the oauth2Proxy provider and the proxied sign-in page. */
export const OAUTH2_PROXY_CONFIG = resolve(
  repoRoot,
  'e2e/config/app-config.oauth2-proxy.yaml',
);

/** catalog/org.yaml: ml-team, owner of the inference service and its environments. */
export const ANA = 'ana.ml';
/** catalog/org.yaml: platform-team and prod-deployers. */
export const PAT = 'pat.platform';

/** The headers oauth2-proxy forwards for a signed-in user (`--pass-user-headers`). */
export function forwardedIdentityHeaders(user: string): Record<string, string> {
  return {
    'X-Forwarded-User': user,
    'X-Forwarded-Email': `${user}@devops-app.example`,
  };
}

/** startPortal with the oauth2Proxy overlay (after any overlays of the test's own). */
export function startPortalWithIdentities(
  options: Parameters<typeof startPortal>[0] = {},
): Promise<RunningPortal> {
  return startPortal({
    ...options,
    configFiles: [...(options.configFiles ?? []), OAUTH2_PROXY_CONFIG],
  });
}

/**
 * A Backstage token for `user` (the catalog's user:default/<user>), as the proxied sign-in page obtains
 * it: GET /api/auth/oauth2Proxy/refresh with the forwarded identity. Throws with the backend's answer
 * when the provider is not configured (404) or the user is not in the catalog.
 */
export async function tokenFor(baseUrl: string, user: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/oauth2Proxy/refresh`, {
    headers: {
      ...forwardedIdentityHeaders(user),
      'X-Requested-With': 'XMLHttpRequest',
      Origin: baseUrl,
    },
  });
  if (!res.ok) {
    throw new Error(
      `oauth2Proxy sign-in as ${user} failed: ${
        res.status
      } ${await res.text()}`,
    );
  }
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/**
 * A page signed in as `user` and landed on /catalog. Every request of its context carries the forwarded
 * identity (as oauth2-proxy adds it), so the proxied sign-in page signs in without a click. Given a
 * Browser, a new context (viewport 1600 x 1400 unless given); given a BrowserContext, that context takes
 * the user's headers. More pages of the same session: `page.context().newPage()`.
 */
export async function signInAs(
  browserOrContext: Browser | BrowserContext,
  baseUrl: string,
  user: string,
  viewport = { width: 1600, height: 1400 },
): Promise<Page> {
  const headers = forwardedIdentityHeaders(user);
  let context: BrowserContext;
  if ('newContext' in browserOrContext) {
    context = await browserOrContext.newContext({
      viewport,
      extraHTTPHeaders: headers,
    });
  } else {
    context = browserOrContext;
    await context.setExtraHTTPHeaders(headers);
  }
  const page = await context.newPage();
  await page.goto(baseUrl);
  // The routes render only once signed in; / then goes to /catalog.
  await page.waitForURL(onCatalogPage, { timeout: 120_000 });
  return page;
}
