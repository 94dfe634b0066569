// Issue 23 item 1: a page without islands ships no WebAssembly and no client script; a page
// with islands loads the client and hydrates them.
import { expect, test, type Page } from '@playwright/test';
import { waitForHydration } from './support/portal';

/** The client's files (/pkg/…) the page fetches while `visit` runs. */
async function clientFiles(page: Page, visit: () => Promise<void>): Promise<string[]> {
  const fetched: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/pkg/') && !path.endsWith('.css')) {
      fetched.push(path);
    }
  });
  await visit();
  return fetched;
}

test('issue 23 item 1 a page without islands fetches no WebAssembly and is interactive at once', async ({ page }) => {
  for (const path of ['/', '/agency-link/procedure', '/no/such/page']) {
    const fetched = await clientFiles(page, async () => {
      await page.goto(path);
      await waitForHydration(page);
      // Time for anything late (the loader runs on idle) to show itself.
      await page.waitForLoadState('networkidle');
    });
    expect(fetched, path).toEqual([]);
    page.removeAllListeners('request');
  }
});

test('issue 23 item 1 a page with islands loads the client and hydrates them', async ({ page }) => {
  const fetched = await clientFiles(page, async () => {
    await page.goto('/certificate/status');
    await waitForHydration(page);
  });
  expect(fetched.some((path) => path.endsWith('.wasm')), fetched.join(', ')).toBe(true);
  expect(fetched.some((path) => path.endsWith('.js')), fetched.join(', ')).toBe(true);
  // The island works: the field checks itself while the user types.
  const field = page.getByRole('textbox', { name: '憑證 IC 卡號' });
  await field.pressSequentially('TP03');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
});

test('issue 23 item 2 a page fetches the WebAssembly of its own islands only', async ({ page }) => {
  const fetched = await clientFiles(page, async () => {
    await page.goto('/certificate/status');
    await waitForHydration(page);
  });
  const islands = (name: string) => fetched.filter((path) => path.includes(`/split_${name}_loader_`));
  // The page's text field is hydrated from its own chunk…
  expect(islands('text_field'), fetched.join(', ')).toHaveLength(1);
  // …and the islands of other pages (the counter's issuer, the card's renewal) are not fetched.
  expect(islands('counter_issuer'), fetched.join(', ')).toEqual([]);
  expect(islands('certificate_renewer'), fetched.join(', ')).toEqual([]);
});
