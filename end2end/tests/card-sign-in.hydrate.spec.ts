// Card sign-in in the browser (F-5, F-6): the page finds the card helper, reads the card,
// takes the PIN to the helper only, and the server checks the card's signature.
import { expect, Request, test } from '@playwright/test';
import { expectAccessible, waitForHydration } from './support/portal';
import { baseURL, chooseCard, clerk, company, helperURL, reviewer, spareCompany, unlock } from './support/cards';

// One card helper and its software cards are shared: run these one after another.
test.describe.configure({ mode: 'serial' });

test('f5 a company signs in with its card, and no request to the portal carries the PIN', async ({ page }) => {
  const toPortal: Request[] = [];
  const toHelper: Request[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(baseURL)) toPortal.push(request);
    if (request.url().startsWith(helperURL)) toHelper.push(request);
  });
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  await chooseCard(page, company);
  await expect(page.locator('.card-holder')).toContainText('蝦蝦樂購股份有限公司');
  await expectAccessible(page);
  await page.getByLabel('營利事業統一編號').fill('24941832');
  await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(company.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/company$/);
  await expect(page.locator('main')).toContainText('蝦蝦樂購股份有限公司');
  await expect(page.locator('main')).toContainText('24941832');

  const carried = (request: Request) => `${request.url()} ${request.postData() ?? ''} ${JSON.stringify(request.headers())}`;
  // The PIN did go somewhere: to the helper, in the signing request …
  expect(toHelper.filter((r) => carried(r).includes(company.pin))).toHaveLength(1);
  // … and never to the portal server, in any request of the whole sign-in.
  expect(toPortal.length).toBeGreaterThan(3);
  for (const request of toPortal) expect(carried(request)).not.toContain(company.pin);

  await page.getByRole('button', { name: '登出' }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  const after = await page.goto('/company');
  expect(after?.url()).toContain('/company/sign-in');
});

test('f5 a wrong PIN shows the tries left, and the right one then signs in', async ({ page, request }) => {
  await unlock(request, spareCompany);
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  // Nothing to say yet: no empty box.
  await expect(page.locator('.form-error')).toHaveCSS('border-left-width', '0px');
  await chooseCard(page, spareCompany);
  await page.getByLabel('營利事業統一編號').fill('24941832');
  const pin = page.getByLabel('工商憑證密碼 (PIN CODE)');
  await pin.fill('99999999');
  await page.getByRole('button', { name: '登入' }).click();
  // Issue 24 item 8: the warning is a notice that stands out, in Chinese punctuation.
  const warning = page.locator('.form-error');
  await expect(warning).toHaveText('PIN 碼錯誤，尚可再試 2 次；連續錯誤 3 次將鎖卡。');
  await expect(warning).toHaveCSS('border-left-width', '4px');
  await expect(pin).toHaveValue('');
  await pin.fill(spareCompany.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/company$/);
});

test('f5 three wrong PINs block the card and say how to unlock it', async ({ page, request }) => {
  await unlock(request, spareCompany);
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  await chooseCard(page, spareCompany);
  await page.getByLabel('營利事業統一編號').fill('24941832');
  const pin = page.getByLabel('工商憑證密碼 (PIN CODE)');
  const error = page.locator('.form-error');
  for (const left of [2, 1]) {
    await pin.fill('99999999');
    await page.getByRole('button', { name: '登入' }).click();
    await expect(error).toContainText(`尚可再試 ${left} 次`);
  }
  await pin.fill('99999999');
  await page.getByRole('button', { name: '登入' }).click();
  await expect(error).toHaveText('PIN 碼已鎖住，請使用用戶代碼線上鎖卡解碼。');
  // Even the right PIN no longer works.
  await pin.fill(spareCompany.pin);
  await page.getByRole('button', { name: '登入' }).click();
  // The field is emptied when the answer comes: the error below is then that answer's.
  await expect(pin).toHaveValue('');
  await expect(error).toHaveText('PIN 碼已鎖住，請使用用戶代碼線上鎖卡解碼。');
  await expect(page).toHaveURL(/\/company\/sign-in$/);
  await unlock(request, spareCompany);
});

test('f5 without the card helper the page shows how to install and start it', async ({ page }) => {
  await page.route(`${helperURL}/**`, (route) => route.abort('connectionrefused'));
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  const notice = page.locator('[data-helper="missing"]');
  await expect(notice).toContainText('偵測不到跨平台網頁元件');
  await expect(page.getByRole('button', { name: '登入' })).toBeDisabled();
  await notice.getByRole('link', { name: '跨平台網頁元件' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('跨平台網頁元件下載與安裝');
  await expect(page.locator('main')).toContainText('huji-card-helper --allow-origin');
});

test('f6 a staff member signs in with a citizen certificate and sees the back office', async ({ page }) => {
  await page.goto('/admin/sign-in');
  await waitForHydration(page);
  await chooseCard(page, reviewer);
  await expect(page.locator('.card-holder')).toContainText('林美玲');
  await page.getByLabel('自然人憑證 PIN 碼').fill(reviewer.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.locator('main')).toContainText('內政部戶政司審核人員');
  await expect(page.locator('main')).toContainText('全國');
});

test('f6 a staff member without the role gets 403', async ({ page }) => {
  await page.goto('/admin/sign-in?next=/admin/staff');
  await waitForHydration(page);
  await chooseCard(page, clerk);
  await page.getByLabel('自然人憑證 PIN 碼').fill(clerk.pin);
  const answer = page.waitForResponse((r) => r.url().endsWith('/admin/staff'));
  await page.getByRole('button', { name: '登入' }).click();
  expect((await answer).status()).toBe(403);
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('403 無權限');
  await expect(page.locator('main')).toContainText('您沒有執行此項作業的權限');
  // The role's own pages stay open to them.
  const home = await page.goto('/admin');
  expect(home?.status()).toBe(200);
  await expect(page.locator('main')).toContainText('臺北市大安區戶政事務所');
});

test('f6 a card not bound to a staff account is refused', async ({ page }) => {
  await page.goto('/admin/sign-in');
  await waitForHydration(page);
  // The company's card is no citizen certificate at all.
  await page.getByLabel('讀卡機').selectOption(company.reader);
  await expect(page.locator('.card-status')).toContainText('憑證種類不符');
  await expect(page.getByRole('button', { name: '登入' })).toBeDisabled();
});

test('issue 24 5 with several cards in play nothing is read or refused until one is chosen', async ({ page }) => {
  await page.goto('/admin/sign-in');
  await waitForHydration(page);
  const readers = page.getByLabel('讀卡機');
  await expect(readers).toBeVisible();
  await expect(readers).toHaveValue('');
  await expect(readers.locator('option').first()).toHaveText('請選擇您的卡片所在的讀卡機');
  await expect(page.locator('[role="alert"]:not(:empty)')).toHaveCount(0);
  await expect(page.locator('.card-holder')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '登入' })).toBeDisabled();
  await expectAccessible(page);
  // (A card the visitor chose that is of the wrong kind is told: the f6 test above.)
});

test('issue 24 5 a helper without any reader says so', async ({ page }) => {
  await page.route(`${helperURL}/v1/readers`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ readers: [] }) }));
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  await expect(page.locator('.card-status')).toContainText('偵測不到讀卡機');
});
