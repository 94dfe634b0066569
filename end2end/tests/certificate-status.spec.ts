// C-6 status look-up by card number, with and without JavaScript: the server re-validates
// and gives the same error, in the same words, as the browser does while typing.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './support/portal';

const FORMAT_ERROR = 'IC 卡號格式錯誤：應為 2 個英文字母加 14 個數字（如 TP03000000012345）';

test('c6 a malformed card number is refused next to its field after submitting', async ({ page }) => {
  await page.goto('/certificate/status');
  await expectAccessible(page);
  const field = page.getByRole('textbox', { name: '憑證 IC 卡號' });
  await field.fill('TP123');
  await page.getByRole('button', { name: '查詢' }).click();
  await expect(page).toHaveURL(/card=TP123/);
  await expect(page.locator('#card-error')).toHaveText(FORMAT_ERROR);
  await expect(page.getByRole('textbox', { name: '憑證 IC 卡號' })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('textbox', { name: '憑證 IC 卡號' })).toHaveValue('TP123');
  await expectAccessible(page);
});

test('c6 an unknown card number is reported as not found', async ({ page }) => {
  await page.goto('/certificate/status');
  await page.getByRole('textbox', { name: '憑證 IC 卡號' }).fill('tp03 0000 0001 2345');
  await page.getByRole('button', { name: '查詢' }).click();
  await expect(page.getByRole('heading', { name: '查無資料' })).toBeVisible();
  await expect(page.locator('#card-error')).toHaveText(/^\s*$/);
  await expectAccessible(page);
});

test('c6 a recorded card shows its certificate without the ID number', async ({ page }) => {
  await page.goto('/certificate/status');
  await page.getByRole('textbox', { name: '憑證 IC 卡號' }).fill('TP03000000087321');
  await page.getByRole('button', { name: '查詢' }).click();
  const result = page.locator('section.result');
  await expect(result.getByRole('heading', { name: '查詢結果' })).toBeVisible();
  await expect(result).toContainText('王小明');
  await expect(result).toContainText('有效');
  await expect(result).not.toContainText('A123456789');
  // Issue 24 item 14: the holder's name, not the raw subject; the serial as viewers print it.
  await expect(result.locator('dt', { hasText: '憑證用戶姓名' }).locator('+ dd')).toHaveText('王小明');
  await expect(result).not.toContainText('CN=');
  await expect(result.locator('dt', { hasText: '憑證序號' }).locator('+ dd')).toHaveText(/^[0-9A-F]+$/);
});
