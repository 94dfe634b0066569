// Issue 24 item 2: every page fits a 390 px phone — nothing scrolls sideways — for every kind
// of visitor. Each party's pages are found by following the portal's own links from where
// they land, so a new page is checked without being listed here. Every page is kept as a
// screenshot at 390 px and at 1280 px, so a reviewer can look at the whole portal at once.
import { Browser, expect, Page, test } from '@playwright/test';
import { agency, Card, chooseCard, company, reviewer, registrar, wangCard } from './support/cards';
import { keepScreenshot, waitForHydration, waitForPath } from './support/portal';

const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };
/** Pages per party: enough to reach every kind of page, bounded so the run stays short. */
const MAX_PAGES = 45;

// Each party's walk takes a few minutes: two screenshots a page.
test.describe.configure({ mode: 'serial', timeout: 300_000 });

/** Links that are not pages of the portal: files, the API, switches and downloads. */
function isPage(href: string): boolean {
  const url = new URL(href);
  const base = new URL(test.info().project.use.baseURL ?? 'http://127.0.0.1:3000');
  if (url.origin !== base.origin) return false;
  return !/^\/(api|pkg|lang|captcha|integration)\//.test(url.pathname) && !/\.(pdf|json|txt|zip|cer|crt|xml)$/.test(url.pathname);
}

/** The widest elements of an overflowing page, for the failure message. */
async function widest(page: Page): Promise<string[]> {
  return page.evaluate((limit) => {
    const out: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const box = element.getBoundingClientRect();
      if (box.right > limit + 1) {
        const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
          element.classList.length ? `.${Array.from(element.classList).join('.')}` : ''
        }`;
        out.push(`${name} (right edge ${Math.round(box.right)} px)`);
      }
    }
    return out.slice(-5);
  }, PHONE.width);
}

/**
 * Visits the party's pages from `start`, checking each at 390 px; returns the failures. Links
 * are followed breadth first, so a party's own pages come before the public ones its header
 * leads back to, which the public walk covers: `limit` can stop there.
 */
async function crawl(page: Page, party: string, start: string[], limit = MAX_PAGES): Promise<string[]> {
  const queue = [...start];
  const seen = new Set(queue);
  const failures: string[] = [];
  // Where the links led: several links may land on one page (a sign-in page, say).
  const landed = new Set<string>();
  let visited = 0;
  while (queue.length > 0 && visited < limit) {
    const path = queue.shift()!;
    await page.setViewportSize(PHONE);
    const response = await page.goto(path);
    const type = response?.headers()['content-type'] ?? '';
    const url = new URL(page.url());
    const here = url.pathname;
    if (!type.startsWith('text/html') || landed.has(`${here}${url.search}`)) continue;
    landed.add(`${here}${url.search}`);
    visited += 1;
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > PHONE.width) {
      failures.push(`${party} ${path}: ${width} px wide: ${(await widest(page)).join(', ')}`);
    }
    const name = `${party}${here.replace(/[^A-Za-z0-9]+/g, '-')}-${visited}`;
    await keepScreenshot(page, `${name}-390`);
    await page.setViewportSize(DESK);
    await keepScreenshot(page, `${name}-1280`);
    const links = await page.$$eval('a[href]:not([download]):not([rel~="external"])', (all) =>
      all.map((a) => (a as HTMLAnchorElement).href),
    );
    for (const href of links) {
      if (!isPage(href)) continue;
      const link = new URL(href);
      const key = `${link.pathname}${link.search}`;
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(key);
      }
    }
  }
  expect(visited, `${party}: pages visited`).toBeGreaterThan(3);
  return failures;
}

/** A page of its own browser context, signed in with `card` at `signIn`. */
async function signedIn(browser: Browser, signIn: string, card: Card, fill: (page: Page) => Promise<void>, landing: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  await page.goto(signIn);
  await waitForHydration(page);
  await chooseCard(page, card);
  await fill(page);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, landing);
  return page;
}

/** The 自然人憑證 PIN, as staff and citizens type it. */
async function staffPin(page: Page, card: Card): Promise<void> {
  await page.getByLabel('自然人憑證 PIN 碼').fill(card.pin);
}

test('issue 24 2 no page scrolls sideways at 390 px, for the public', async ({ browser }) => {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  expect(await crawl(page, 'public', ['/'])).toEqual([]);
});

test('issue 24 2 no page scrolls sideways at 390 px, for staff', async ({ browser }) => {
  const failures: string[] = [];
  for (const [party, card] of [
    ['registrar', registrar],
    ['reviewer', reviewer],
  ] as const) {
    const page = await signedIn(browser, '/admin/sign-in', card, (page) => staffPin(page, card), '/admin');
    failures.push(...(await crawl(page, party, ['/admin'])));
  }
  expect(failures).toEqual([]);
});

test('issue 24 2 no page scrolls sideways at 390 px, for a company', async ({ browser }) => {
  const page = await signedIn(
    browser,
    '/company/sign-in',
    company,
    async (page) => {
      await page.getByLabel('營利事業統一編號').fill('24941832');
      await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(company.pin);
    },
    '/company',
  );
  expect(await crawl(page, 'company', ['/company', '/api-service/apply', '/api-service/progress'])).toEqual([]);
});

test('issue 24 2 no page scrolls sideways at 390 px, for an agency', async ({ browser }) => {
  const page = await signedIn(
    browser,
    '/agency/sign-in',
    agency,
    async (page) => {
      await page.getByLabel('機關代號').fill('379130000C');
      await page.getByLabel('機關憑證 PIN 碼').fill(agency.pin);
    },
    '/agency-link',
  );
  expect(await crawl(page, 'agency', ['/agency-link', '/agency-link/apply', '/agency-link/procedure'], 20)).toEqual([]);
});

test('issue 24 2 no page scrolls sideways at 390 px, for a citizen with a card', async ({ browser }) => {
  const page = await signedIn(
    browser,
    '/citizen/sign-in?next=/id-card/loss/card',
    wangCard,
    (page) => staffPin(page, wangCard),
    '/id-card/loss/card',
  );
  expect(await crawl(page, 'citizen', ['/id-card/loss/card', '/citizen/usage'], 20)).toEqual([]);
});
