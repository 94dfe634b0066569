// Shared helpers of the end-to-end specs: the accessibility check every page must pass, and
// waiting for the WebAssembly client to take over a page.
import AxeBuilder from '@axe-core/playwright';
import { expect, Locator, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

/**
 * WCAG 2.1 AA, as axe-core checks it: no violation at all. axe runs inside the page, so in
 * the JavaScript-off project the page is shown again in a JavaScript-enabled page whose
 * scripts and WebAssembly are blocked: at the same address, with the document that visitor
 * got (a posted form's answer too, which a new GET of the address would not give). With
 * JavaScript on, that page reads a `<noscript>` as text, so axe does not check its content.
 */
export async function expectAccessible(page: Page): Promise<void> {
  let target = page;
  let cleanup = async () => {};
  if (test.info().project.use.javaScriptEnabled === false) {
    const browser = page.context().browser();
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ javaScriptEnabled: true });
    await context.addCookies(await page.context().cookies());
    await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    await page.waitForLoadState('load');
    const [address, html] = [new URL(page.url()), await page.content()];
    address.hash = '';
    let shown = false;
    await context.route(
      (url) => url.href === address.href,
      (route) => {
        shown = true;
        return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
      },
      { times: 1 },
    );
    target = await context.newPage();
    await target.goto(address.href);
    expect(shown, 'the page checked is the one the visitor got').toBe(true);
    cleanup = () => context.close();
  }
  try {
    // axe reads the document it finds: a navigation still in flight would leave it none.
    await target.waitForLoadState('load');
    const results = await new AxeBuilder({ page: target })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const summary = results.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect(summary).toEqual([]);
  } finally {
    await cleanup();
  }
}

/**
 * Keeps a full-page screenshot named `name` with the test's results, for a reviewer to look
 * at. A screenshot is a record, not a check: Chromium's compositor sometimes refuses one on a
 * busy machine ("Unable to capture screenshot"), so it is tried three times, a second apart,
 * and a page that still cannot be captured is noted in the report instead of failing a test
 * whose assertions all held.
 */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const info = test.info();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
      return;
    } catch (error) {
      if (attempt === 3) {
        info.annotations.push({ type: 'screenshot missing', description: `${name}: ${error}` });
        console.warn(`screenshot ${name} not kept: ${error}`);
        return;
      }
      await page.waitForTimeout(1_000);
    }
  }
}

/**
 * Runs `action` (a click that posts a form or follows a link) and waits until the page it
 * opens has loaded. Playwright's click does not wait for the navigation it starts, and every
 * other wait (a POST's response, `waitForLoadState`, `data-hydrated`) is already met by the
 * page being left.
 */
export async function loadsNewPage(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

/** Waits until the islands are hydrated (the client marks <body data-hydrated>). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 15_000 });
}

/**
 * Waits until the browser is on `path` itself. A sign-in page's own URL ends with
 * `?next=<path>`, so a pattern on the whole URL would match before the sign-in is done.
 */
export async function waitForPath(page: Page, path: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === path);
  await page.waitForLoadState('load');
}

/** Clicks the link named `name` and returns the PDF it downloads: its suggested file name and
 * its bytes, checked to be a PDF. */
export async function downloadPdf(page: Page, name: string | RegExp): Promise<{ fileName: string; bytes: Buffer }> {
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name }).click();
  const file = await download;
  const bytes = readFileSync(await file.path());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  return { fileName: file.suggestedFilename(), bytes };
}

/** The error summary above a refused form (issue 24 item 4): each refusal a link to a field
 * that is on the page. Returns how many it lists. */
export async function expectErrorSummary(page: Page): Promise<number> {
  const summary = page.locator('.error-summary');
  await expect(summary).toContainText('請修正下列標示的欄位');
  const hrefs = await summary.locator('li a').evaluateAll((all) => all.map((a) => a.getAttribute('href') ?? ''));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of hrefs) {
    expect(href).toMatch(/^#[A-Za-z0-9_-]+$/);
    await expect(page.locator(href)).toHaveCount(1);
  }
  return hrefs.length;
}

/** Clicks `button`, which must ask `question` first (issue 24 item 10), and answers 確定. */
export async function clickConfirming(page: Page, button: Locator, question: string): Promise<void> {
  const asked = page.waitForEvent('dialog');
  const clicked = button.click();
  const dialog = await asked;
  expect(dialog.message()).toBe(question);
  await dialog.accept();
  await clicked;
}
