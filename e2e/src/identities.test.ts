/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { resolve } from 'node:path';
import { launchChromium, screenshotsAtBothWidths } from './support/browser';
import {
  ANA,
  forwardedIdentityHeaders,
  PAT,
  signInAs,
  startPortalWithIdentities,
  tokenFor,
} from './support/identities';
import { resultsDir, RunningPortal, startPortal } from './support/portal';

/*
 * Two real sign-in identities through the backend's oauth2Proxy provider (support/identities.ts), and
 * that the provider exists only with the test overlay: the default configuration (app-config.yaml, what
 * `make start` and every other suite run) answers 404 to a forwarded identity.
 */

/** The claims the auth backend itself reads back from a token (OIDC userinfo). */
async function userInfo(baseUrl: string, token: string) {
  const res = await fetch(`${baseUrl}/api/auth/v1/userinfo`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    claims: { sub: string; ent?: string[] };
  };
  return body.claims;
}

describe('without the oauth2-proxy overlay', () => {
  let portal: RunningPortal;

  beforeAll(async () => {
    portal = await startPortal({
      logFile: resolve(resultsDir, 'identities-default-backend.log'),
    });
  });

  afterAll(async () => {
    await portal?.stop();
  });

  it('has no oauth2Proxy provider: a forwarded identity gets no token', async () => {
    const res = await fetch(`${portal.baseUrl}/api/auth/oauth2Proxy/refresh`, {
      headers: {
        ...forwardedIdentityHeaders(PAT),
        'X-Requested-With': 'XMLHttpRequest',
      },
    });
    expect(res.status).toBe(404);
    await expect(tokenFor(portal.baseUrl, PAT)).rejects.toThrow(
      /oauth2Proxy sign-in as pat\.platform failed: 404/,
    );
    // A forwarded header means nothing to the rest of the backend either.
    const catalog = await fetch(`${portal.baseUrl}/api/catalog/entities`, {
      headers: forwardedIdentityHeaders(PAT),
    });
    expect(catalog.status).toBe(401);
  });
});

describe('with the oauth2-proxy overlay', () => {
  let portal: RunningPortal;
  let browser: Browser;

  beforeAll(async () => {
    portal = await startPortalWithIdentities({
      logFile: resolve(resultsDir, 'identities-backend.log'),
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('gives two users two tokens whose principals are their catalog users', async () => {
    const ana = await tokenFor(portal.baseUrl, ANA);
    const pat = await tokenFor(portal.baseUrl, PAT);
    expect(ana).not.toEqual(pat);

    const anaInfo = await userInfo(portal.baseUrl, ana);
    const patInfo = await userInfo(portal.baseUrl, pat);
    expect(anaInfo.sub).toBe('user:default/ana.ml');
    expect(anaInfo.ent).toEqual(
      expect.arrayContaining(['user:default/ana.ml', 'group:default/ml-team']),
    );
    expect(anaInfo.ent).not.toContain('group:default/prod-deployers');
    expect(patInfo.sub).toBe('user:default/pat.platform');
    expect(patInfo.ent).toEqual(
      expect.arrayContaining([
        'user:default/pat.platform',
        'group:default/platform-team',
        'group:default/prod-deployers',
      ]),
    );

    // The tokens are accepted by the other plugins as those users.
    const res = await fetch(
      `${portal.baseUrl}/api/catalog/entities/by-name/component/default/inference-service`,
      { headers: { Authorization: `Bearer ${ana}` } },
    );
    expect(res.status).toBe(200);
  });

  it('refuses a forwarded name that is not a catalog user, and a request without one', async () => {
    // The auth backend answers its sign-in resolver's failure as a 500, with the reason.
    await expect(tokenFor(portal.baseUrl, 'mallory')).rejects.toThrow(
      /oauth2Proxy sign-in as mallory failed: \d+ [^]*unable to resolve user identity/,
    );
    const bare = await fetch(`${portal.baseUrl}/api/auth/oauth2Proxy/refresh`);
    expect(bare.ok).toBe(false);
  });

  it('signs a browser in as the forwarded user, with no sign-in page to click', async () => {
    const page = await signInAs(browser, portal.baseUrl, PAT);
    // The settings page's identity card shows what the app's token says: the user entity and the
    // groups it owns through (pat's, not the guest's ml-team).
    await page.goto(`${portal.baseUrl}/settings`);
    await page.getByText('Ownership Entities').waitFor({ timeout: 60_000 });
    // An entity link shows the entity's title once read (Production deployers), its name before.
    await page
      .getByRole('link', { name: /^(prod-deployers|Production deployers)$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    expect(
      await page.getByRole('link', { name: /^(ml-team|ML team)$/ }).count(),
    ).toBe(0);
    await screenshotsAtBothWidths(page, 'identities-01-settings-pat');
    await page.context().close();
  });
});
