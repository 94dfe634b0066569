// The portal's home page: the ministry's service tree, in zh-TW first and English on request.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './support/portal';

test('home page is in Traditional Chinese by default', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hant-TW');
  await expect(page.getByRole('heading', { level: 1, name: '網路申辦服務' })).toBeVisible();
  const services = page.getByRole('navigation', { name: '網路申辦服務' });
  await expect(services.getByText('國民身分證', { exact: true })).toBeVisible();
  await expect(services.getByText('國民身分證領補換資料查驗作業 API 介接服務')).toBeVisible();
  await expect(services.getByRole('link', { name: '憑證 IC 卡號查詢' })).toBeVisible();
  // 機關連結申請 (seed 001): an agency files and follows its cases after signing in.
  await expect(services.getByRole('link', { name: '提出連結申請' })).toHaveAttribute('href', '/agency-link/apply');
  await expectAccessible(page);
});

test('l_1_to_l_20 the agency linking procedure shows the 20 steps the portal enforces', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: '網路申辦服務' }).getByRole('link', { name: '申請程序說明' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '機關連結申請程序' })).toBeVisible();
  const steps = page.locator('table.procedure tbody tr');
  await expect(steps).toHaveCount(20);
  // Step 6 is 資訊服務司's, after step 5, over the GSN VPN only; step 16 joins three branches.
  await expect(steps.nth(5)).toContainText('6. 資訊服務司編訂網路位址資訊服務司5連結介面、API、電子閘門(GSN VPN)');
  await expect(steps.nth(15).locator('td').nth(2)).toHaveText('9、14、15');
  await expectAccessible(page);
});

test('the English switch persists across pages and can be switched back', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Online services' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Certificate status look-up' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Citizen certificate status look-up' })).toBeVisible();

  await page.getByRole('link', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '自然人憑證 IC 卡號查詢' })).toBeVisible();
});

test('an unknown address shows the not-found page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: '找不到網頁' })).toBeVisible();
  await expectAccessible(page);
});
