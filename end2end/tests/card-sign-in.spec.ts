// Card sign-in pages with or without JavaScript: what the server renders by itself.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './support/portal';

test('f5 the sign-in page explains what it needs, and the back office sends visitors to it', async ({ page }) => {
  const response = await page.goto('/admin');
  expect(response?.url()).toMatch(/\/admin\/sign-in\?next=\/admin$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('後台工作人員登入');
  await expect(page.locator('.helper-notice')).toContainText('跨平台網頁元件');
  if (test.info().project.name === 'no-js') {
    // Issue 24 item 13: said plainly, with what else to do, and no search that never ends.
    const notice = page.locator('[data-helper="no-script"]');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('請使用已啟用 JavaScript 的瀏覽器');
    await expect(notice).toContainText('臨櫃辦理');
    await expect(page.getByText('正在偵測跨平台網頁元件')).toBeHidden();
    await expect(page.getByRole('button', { name: '登入' })).toBeDisabled();
  }
  await expectAccessible(page);
});

test('f5 the card helper page tells how to install and start the helper', async ({ page }) => {
  await page.goto('/card-helper');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('跨平台網頁元件下載與安裝');
  await expectAccessible(page);
});
