/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { launchChromium, onCatalogPage } from './support/browser';
import { resolve } from 'node:path';
import {
  guestToken,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * The whole local portal: the real backend (new backend system, SQLite, guest sign-in, catalog from
 * catalog/), the built frontend it serves, and Debian's chromium. Nothing is mocked.
 */
let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortal();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('backend API', () => {
  it('answers 401 to the catalog and devops-app without credentials', async () => {
    const catalog = await fetch(`${portal.baseUrl}/api/catalog/entities`);
    expect(catalog.status).toBe(401);
    const health = await fetch(`${portal.baseUrl}/api/devops-app/health`);
    expect(health.status).toBe(401);
    const forged = await fetch(`${portal.baseUrl}/api/devops-app/health`, {
      headers: { Authorization: 'Bearer not-a-token' },
    });
    expect(forged.status).toBe(401);
  });

  it('lists the project entities to a signed-in guest', async () => {
    const token = await guestToken(portal.baseUrl);
    const res = await fetch(`${portal.baseUrl}/api/catalog/entities`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const refs = (
      (await res.json()) as {
        kind: string;
        metadata: { name: string };
        spec?: { type?: string };
      }[]
    ).map(
      e =>
        `${e.kind}:${e.metadata.name}${e.spec?.type ? `(${e.spec.type})` : ''}`,
    );
    expect(refs).toEqual(
      expect.arrayContaining([
        'System:devops-app',
        'Component:inference-service(service)',
        'API:inference-api(openapi)',
        'Resource:dev(environment)',
        'Resource:pre-prod(environment)',
        'Resource:prod(environment)',
        'Resource:dev-cluster(kubernetes-cluster)',
        'Resource:pre-prod-cluster(kubernetes-cluster)',
        'Resource:prod-cluster(kubernetes-cluster)',
        'Resource:treated-images-storage(blob-storage)',
        'Group:ml-team(team)',
        'Group:platform-team(team)',
        'User:guest',
      ]),
    );
    const health = await fetch(`${portal.baseUrl}/api/devops-app/health`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

describe('entity page in the browser', () => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  // The entity page's tabs are links in the page header.
  const devopsTab = () =>
    page.getByRole('link', { name: 'DevOps', exact: true });
  const shot = (name: string) =>
    page.screenshot({
      path: resolve(resultsDir, `${name}.png`),
      fullPage: true,
    });

  it('signs in as guest and lands on the catalog', async () => {
    await page.goto(portal.baseUrl);
    const enter = page.getByRole('button', { name: 'Enter' });
    await enter.waitFor({ timeout: 60_000 });
    await shot('01-sign-in');
    await enter.click();
    await page.waitForURL(onCatalogPage, { timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/catalog');
  });

  it('finds inference-service in the catalog', async () => {
    const link = page.getByRole('link', { name: 'Inference service' });
    await link.waitFor({ timeout: 60_000 });
    await shot('02-catalog');
    expect(await link.count()).toBe(1);
    await link.click();
    await page.waitForURL(/\/catalog\/default\/component\/inference-service/);
    await devopsTab().waitFor({ timeout: 60_000 });
    expect(
      await page.getByRole('heading', { name: 'Inference service' }).count(),
    ).toBeGreaterThan(0);
    await shot('03-entity-overview');
  });

  it('shows the environments on the DevOps tab', async () => {
    await devopsTab().click({ timeout: 60_000 });
    await page.waitForURL(/\/devops$/);
    // The Environments card: the environment Resources related to the service (catalog/environments.yaml),
    // from the backend's resolver, in promotion order; the first cell holds stage, name, title, namespace
    // and tier, then owner, image tag, Argo CD, Rollout, last deploy and the actions.
    const table = page
      .getByRole('table')
      .filter({ has: page.getByTestId('stage-dev') });
    await table.getByTestId('stage-prod').waitFor({ timeout: 60_000 });
    // Owner links show the group's title once the catalog answered for it (before, its ref).
    await page.waitForFunction(
      () => {
        const text = document.querySelector('table')?.textContent ?? '';
        return (
          text.split('Platform team').length - 1 >= 2 &&
          text.includes('ML team')
        );
      },
      undefined,
      { timeout: 60_000 },
    );
    const rows = await table.getByRole('row').allInnerTexts();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(
      /Environment[\s\S]*Owner[\s\S]*Image tag[\s\S]*Argo CD[\s\S]*Rollout[\s\S]*Actions/i,
    );
    expect(rows[1]).toMatch(
      /^1\.\s+dev\s[\s\S]*Development[\s\S]*inference-dev\s[\s\S]*non-production[\s\S]*ML team/,
    );
    expect(rows[2]).toMatch(
      /^2\.\s+pre-prod\s[\s\S]*Pre-production[\s\S]*inference-pre-prod\s[\s\S]*non-production[\s\S]*Platform team/,
    );
    expect(rows[3]).toMatch(
      /^3\.\s+prod\s[\s\S]*Production[\s\S]*inference-prod\s[\s\S]*production[\s\S]*Platform team/,
    );
    expect(rows[3]).not.toContain('non-production');
    // No environment has annotation problems locally.
    expect(await table.locator('[data-testid^="problems-"]').count()).toBe(0);
    expect(await page.getByText('service="inference-service"').count()).toBe(1);
    await shot('04-devops-tab');

    // Each environment links to its Resource entity (shown by the Resource's title).
    await table
      .getByRole('row')
      .nth(3)
      .getByRole('link', { name: 'Production' })
      .click({ timeout: 30_000 });
    await page.waitForURL(/\/catalog\/default\/resource\/prod/);
    await page
      .getByText('Production environment; manual sync')
      .first()
      .waitFor({ timeout: 60_000 });
    await shot('05-environment-prod');
  });

  it('does not show the tab on entities without environments', async () => {
    await page.goto(`${portal.baseUrl}/catalog/default/resource/prod-cluster`);
    await page
      .getByText('AKS cluster of the prod environment')
      .first()
      .waitFor({ timeout: 60_000 });
    // The header's other tabs are there, so the missing DevOps tab is not a page still loading.
    await page
      .getByRole('link', { name: 'Overview', exact: true })
      .waitFor({ timeout: 60_000 });
    expect(await devopsTab().count()).toBe(0);
  });
});
