// With the WebAssembly client: the field checks itself while the user types.
import { expect, test } from '@playwright/test';
import { waitForHydration } from './support/portal';

test('c6 the card number field shows the error while typing and clears it when fixed', async ({ page }) => {
  await page.goto('/certificate/status');
  await waitForHydration(page);
  const field = page.getByRole('textbox', { name: '憑證 IC 卡號' });
  await field.pressSequentially('TP03');
  await expect(page.locator('#card-error')).toHaveText(
    'IC 卡號格式錯誤：應為 2 個英文字母加 14 個數字（如 TP03000000012345）',
  );
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await field.pressSequentially('000000012345');
  await expect(page.locator('#card-error')).toHaveText('');
  await expect(field).toHaveAttribute('aria-invalid', 'false');
  // Nothing was submitted while typing.
  await expect(page).not.toHaveURL(/card=/);
});
