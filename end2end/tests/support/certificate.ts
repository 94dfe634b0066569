// The citizen certificate pre-application form (C-1, C-2), filled as a citizen would: shared by
// the application spec and the counter-issuance spec.
import { Browser, expect, Page } from '@playwright/test';
import { chooseCard, registrar } from './cards';
import { Citizen, solveCaptcha } from './loss';
import { loadsNewPage, waitForHydration, waitForPath } from './portal';

/** 黃雅婷 of 臺北市信義區: no certificate yet, the counter-issuance applicant. */
export const huang: Citizen = {
  nationalId: 'A224813575',
  name: '黃雅婷',
  birthDate: '77/03/12',
  address: '臺北市信義區三張里4鄰松仁路100號7樓',
  phone: '0922333444',
  email: 'huang@example.com',
  parentName: '周麗華',
};

export async function fillApplication(
  page: Page,
  who: Citizen,
  {
    userCode = 'Huji2026a',
    confirm = userCode,
    pin,
    mobile = '0912345678',
  }: { userCode?: string; confirm?: string; pin?: string; mobile?: string } = {},
): Promise<void> {
  await page.getByLabel('國民身分證統一編號').fill(who.nationalId);
  await page.getByRole('textbox', { name: '姓名', exact: true }).fill(who.name);
  await page.getByRole('textbox', { name: '出生年月日', exact: true }).fill(who.birthDate);
  await page.getByLabel('電子郵件信箱（E-MAIL）').fill(who.email);
  // Optional (issue 20 item 13): '' leaves it empty.
  await page.getByLabel('手機號碼').fill(mobile);
  // Password fields have no role; their labels start with the required mark.
  await page.getByLabel(/^\*?\s*用戶代碼$/).fill(userCode);
  await page.getByLabel('再次輸入用戶代碼').fill(confirm);
  if (pin !== undefined) {
    await page.getByLabel('自行設定').check();
    await page.getByLabel(/^\*?\s*卡片密碼（PIN 碼）$/).fill(pin);
    await page.getByLabel('再次輸入卡片密碼').fill(pin);
  }
  await solveCaptcha(page);
}

/** Sends the form, accepting the 請確認 question the hydrated page asks. */
export async function sendApplication(page: Page): Promise<void> {
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '送出申請' }).click();
}

/** The demo registrar's counter at `path`, signed in, in a browser context of its own. */
export async function counterPage(browser: Browser, path: string, search?: string): Promise<Page> {
  const counter = await (await browser.newContext()).newPage();
  await counter.goto(`/admin/sign-in?next=${encodeURIComponent(path)}`);
  await waitForHydration(counter);
  await chooseCard(counter, registrar);
  await counter.getByLabel('自然人憑證 PIN 碼').fill(registrar.pin);
  await counter.getByRole('button', { name: '登入' }).click();
  await waitForPath(counter, path);
  if (search !== undefined) {
    await searchFor(counter, search);
  }
  return counter;
}

/** Searches the back-office page for `query`: the search is posted to the page itself, so
 * the address stays the page's (an ID number never goes in a URL). */
export async function searchFor(page: Page, query: string): Promise<void> {
  const path = new URL(page.url()).pathname;
  await page.locator('#q').fill(query);
  await loadsNewPage(page, () => page.locator('form:has(#q) button[type="submit"]').click());
  await expect(page).toHaveURL((url) => url.pathname === path);
}

