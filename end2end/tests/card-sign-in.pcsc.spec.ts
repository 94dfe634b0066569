// Card sign-in through real PC/SC (F-5, issue 3's "done means"): the portal's pages talk to a
// card helper in PC/SC mode, which reads the virtual card (huji-virtual-card) in the vpcd
// reader of a real pcscd. The soft-token specs cover the rest of the sign-in's behaviour.
import { expect, test } from '@playwright/test';
import { waitForHydration } from './support/portal';
import { pcscCompany } from './support/cards';

test.describe.configure({ mode: 'serial' });

test('f5 a company signs in with its card in a PC/SC reader', async ({ page }) => {
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  // The one reader with a card in it is chosen by itself.
  await expect(page.locator('.card-holder')).toContainText('蝦蝦樂購股份有限公司');
  await expect(page.locator('.card-holder')).toContainText('24941832');
  await page.getByLabel('營利事業統一編號').fill('24941832');
  await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(pcscCompany.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/company$/);
  await expect(page.locator('main')).toContainText('蝦蝦樂購股份有限公司');
});

test('f5 a wrong PIN on the PC/SC card shows the tries left the card reports', async ({ page }) => {
  await page.goto('/company/sign-in');
  await waitForHydration(page);
  await expect(page.locator('.card-holder')).toBeVisible();
  await page.getByLabel('營利事業統一編號').fill('24941832');
  const pin = page.getByLabel('工商憑證密碼 (PIN CODE)');
  await pin.fill('99999999');
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page.locator('.form-error')).toContainText('尚可再試 2 次');
  // The right PIN signs in and resets the card's counter.
  await pin.fill(pcscCompany.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/company$/);
});
