import { Browser, chromium, Page } from 'playwright-core';
import { resolve } from 'node:path';
import { resultsDir } from './portal';

/** Debian's chromium (never a downloaded browser), headless, with nothing that reaches the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * The catalog page, whatever its query: the catalog index writes its filters into the address
 * (`?filters[kind]=component&filters[user]=owned&limit=20`) soon after it renders, so a test that
 * matched `/catalog` at the end of the whole URL passed only when it looked before that.
 */
export const onCatalogPage = (url: URL): boolean => url.pathname === '/catalog';

/**
 * A page of a new browser context signed in through the sign-in page's guest provider (the catalog's
 * user:default/guest) and landed on /catalog. More pages of the same session: `page.context().newPage()`.
 */
export async function signInAsGuest(
  browser: Browser,
  baseUrl: string,
  viewport = { width: 1600, height: 1400 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(baseUrl);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 60_000 });
  await enter.click();
  await page.waitForURL(onCatalogPage, { timeout: 60_000 });
  return page;
}

/**
 * Full-page screenshots of a step into test-results/e2e: `<name>.png` at the page's 1280x800 viewport and
 * `<name>-1920.png` 1920 wide; the page is left at 1280x800.
 */
export async function screenshotsAtBothWidths(page: Page, name: string) {
  await page.screenshot({
    path: resolve(resultsDir, `${name}.png`),
    fullPage: true,
  });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({
    path: resolve(resultsDir, `${name}-1920.png`),
    fullPage: true,
  });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * At 1280 × 800 the Environments card fits: the environment's Deploy button is inside the viewport and
 * the card (its table does not scroll sideways inside it), and the page does not scroll sideways.
 * Returns what was measured, for one `toEqual` in the test.
 */
export async function environmentsCardFit(page: Page, environment: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  const card = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByTestId(`git-tag-${environment}`) })
    .last();
  const deployButton = page
    .locator('tr', { has: page.getByTestId(`git-tag-${environment}`) })
    .getByRole('button', { name: 'Deploy tag' });
  await deployButton.scrollIntoViewIfNeeded();
  const button = (await deployButton.boundingBox())!;
  const cardBox = (await card.boundingBox())!;
  return {
    buttonInViewport: button.x >= 0 && button.x + button.width <= 1280,
    buttonInCard:
      button.x >= cardBox.x &&
      button.x + button.width <= cardBox.x + cardBox.width,
    pageScrollsSideways: await pageScrollsSideways(page),
  };
}

/** Whether the page is wider than its viewport, so a person would have to scroll sideways. */
export function pageScrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > window.innerWidth,
  );
}
