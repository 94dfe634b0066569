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

const chunks = (fetched: string[], island: string) =>
  fetched.filter((path) => path.includes(`/split_${island}_loader_`));

test('issue 23 item 2 a page fetches the WebAssembly of its own card islands only', async ({ page }) => {
  // The card sign-in is hydrated from its own chunk; the other card islands are not fetched.
  const signIn = await clientFiles(page, async () => {
    await page.goto('/company/sign-in');
    await waitForHydration(page);
  });
  expect(chunks(signIn, 'card_sign_in'), signIn.join(', ')).toHaveLength(1);
  // …preloaded side by side with the chunks it shares, from the build's manifest.
  await expect(page.locator('link[rel="preload"][href*="/split_card_sign_in_loader_"]')).toHaveCount(1);
  await expect(page.locator('link[rel="modulepreload"][href*="/__wasm_split."]')).toHaveCount(1);
  expect(chunks(signIn, 'counter_issuer'), signIn.join(', ')).toEqual([]);
  expect(chunks(signIn, 'certificate_renewer'), signIn.join(', ')).toEqual([]);
  page.removeAllListeners('request');
  // A page with form islands only needs the client's runtime: no chunk at all.
  const status = await clientFiles(page, async () => {
    await page.goto('/certificate/status');
    await waitForHydration(page);
  });
  expect(status.filter((path) => path.includes('/chunk_') || path.includes('/split_')), status.join(', ')).toEqual([]);
});

test('issue 23 item 2 a chunk is fetched once even when the manifest naming it comes late', async ({ page }) => {
  // The preloads are added when the manifest arrives; the islands wait for them, so the card
  // island's loader finds its chunk on its way instead of fetching it a second time.
  await page.route('**/pkg/__wasm_split_manifest*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const signIn = await clientFiles(page, async () => {
    await page.goto('/company/sign-in');
    await waitForHydration(page);
  });
  expect(chunks(signIn, 'card_sign_in'), signIn.join(', ')).toHaveLength(1);
});
