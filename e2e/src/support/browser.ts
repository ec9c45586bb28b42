import { Browser, chromium, Page } from 'playwright-core';

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
  await page.waitForURL(/\/catalog$/);
  return page;
}
