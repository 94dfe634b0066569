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
