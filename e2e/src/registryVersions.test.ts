/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import {
  DeploymentsPortal,
  startDeploymentsPortal,
} from './support/deploymentsPortal';
import { guestToken } from './support/portal';
import {
  launchChromium,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import {
  pickRegistryVersion,
  registryVersionsShown,
  RunningRegistry,
  startRegistry,
} from './support/registry';

/*
 * Versions from the registry (issue 14): the real backend and built frontend with a throwaway Debian
 * docker-registry on 127.0.0.1 (scripts/start-registry.sh) holding inference 0.1.0, pushed through its
 * HTTP API (scripts/push-sample-images.mts), and a throwaway GitOps remote. The registry's address is
 * chosen at run time and reaches the backend only in APP_CONFIG_devopsApp_registry_url.
 */
let portal: DeploymentsPortal;
let browser: Browser;
let registry: RunningRegistry;

const git = (...args: string[]) => portal.remote.git(...args);

beforeAll(async () => {
  registry = await startRegistry();
  await registry.push('inference', '0.1.0');
  portal = await startDeploymentsPortal({
    name: 'registry',
    env: {
      APP_CONFIG_devopsApp_registry_url: JSON.stringify(registry.url),
      APP_CONFIG_devopsApp_registry_name: JSON.stringify('local-registry'),
      // Read the tag list afresh on every dialog (the cache has its unit test).
      APP_CONFIG_devopsApp_registry_cacheSeconds: '0',
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await registry?.stop();
});

describe('versions from the registry', () => {
  it('picks 0.2.0 from the registry (newest first) and deploys it with its digest; refuses a tag not there; refuses deploys while the registry is down', async () => {
    const { '0.2.0': digest } = await registry.push('inference', '0.2.0');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const page = await signInAsGuest(browser, portal.baseUrl);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    const devRow = page.locator('tr', { has: page.getByTestId('git-tag-dev') });
    await devRow.waitFor({ timeout: 90_000 });
    const dialog = page.getByRole('dialog');
    const openDialog = async () => {
      await devRow.getByRole('button', { name: 'Deploy tag' }).click();
      await dialog.waitFor({ timeout: 30_000 });
    };

    // The list, newest first; pick 0.2.0 and deploy it.
    await openDialog();
    expect(await registryVersionsShown(dialog)).toEqual([
      'Version 0.2.0',
      'Version 0.1.0',
    ]);
    await dialog
      .getByText('Versions in local-registry/inference, newest first')
      .waitFor();
    await pickRegistryVersion(dialog, '0.2.0');
    expect(await dialog.getByLabel('Image tag').inputValue()).toBe('0.2.0');
    await screenshotsAtBothWidths(page, 'registry-01-pick-version');
    await dialog.getByRole('button', { name: 'Deploy 0.2.0' }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="git-tag-dev"]')?.textContent ===
        '0.2.0',
      undefined,
      { timeout: 60_000 },
    );
    // The GitOps commit and the audit entry record the digest.
    const message = git('log', '-1', '--format=%B', 'main');
    expect(message).toContain('image.tag 0.2.0');
    expect(message).toContain(`local-registry/inference:0.2.0@${digest}`);
    const token = await guestToken(portal.baseUrl);
    const audit = (await (
      await fetch(
        `${portal.baseUrl}/api/devops-app/audit?entityRef=component:default/inference-service&environment=dev&limit=1`,
        { headers: { Authorization: `Bearer ${token}` } },
      )
    ).json()) as { items: { action: string; message?: string }[] };
    expect(audit.items[0].action).toBe('deploy');
    expect(audit.items[0].message).toContain(digest);

    // A tag the registry does not hold: the server's 400 is shown, nothing committed.
    const head = git('rev-parse', 'main');
    await openDialog();
    await dialog.getByTestId('registry-versions').waitFor({ timeout: 30_000 });
    await dialog.getByLabel('Image tag').fill('0.9.9');
    await dialog.getByRole('button', { name: 'Show change' }).click();
    await dialog.getByLabel('Change to the values file').waitFor();
    await dialog.getByRole('button', { name: 'Deploy 0.9.9' }).click();
    await dialog
      .getByText('tag: "0.9.9" is not in local-registry/inference', {
        exact: false,
      })
      .waitFor({ timeout: 30_000 });
    await screenshotsAtBothWidths(page, 'registry-02-tag-not-in-registry');
    expect(git('rev-parse', 'main')).toBe(head);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });

    // The registry stops: the dialog says it is unreachable and offers no deploy; the API refuses.
    await registry.stop();
    await openDialog();
    const registryError = dialog.getByTestId('registry-error');
    await registryError.waitFor({ timeout: 30_000 });
    expect(await registryError.textContent()).toContain(
      'The image registry local-registry is unreachable',
    );
    await dialog.getByLabel('Image tag').fill('0.1.0');
    expect(
      await dialog.getByRole('button', { name: 'Deploy 0.1.0' }).isDisabled(),
    ).toBe(true);
    await screenshotsAtBothWidths(page, 'registry-03-registry-down');
    const refused = await fetch(
      `${portal.baseUrl}/api/devops-app/deployments`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          entityRef: 'component:default/inference-service',
          environment: 'dev',
          tag: '0.1.0',
        }),
      },
    );
    expect(refused.status).toBe(503);
    const body = await refused.text();
    expect(body).toContain('local-registry');
    expect(body).not.toContain('127.0.0.1');
    expect(git('rev-parse', 'main')).toBe(head);
  });
});
