// Agency sign-in in the browser (issue 18): an agency signs in with its 機關憑證 (GCA) and the
// 機關代號 typed beside it, as a company does with its 工商憑證; the PIN goes to the helper only.
import { expect, test } from '@playwright/test';
import { expectAccessible, waitForHydration } from './support/portal';
import { agency, chooseCard, company } from './support/cards';

// One card helper and its software cards are shared: run these one after another.
test.describe.configure({ mode: 'serial' });

test('f5 an agency signs in with its 機關憑證 and lands on agency linking', async ({ page }) => {
  await page.goto('/agency/sign-in');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('機關憑證登入');
  await chooseCard(page, agency);
  const holder = page.locator('.card-holder');
  await expect(holder).toContainText('臺北市政府警察局');
  await expect(holder).toContainText('379130000C');
  await expectAccessible(page);
  const code = page.getByLabel('機關代號');
  await code.fill('3791');
  await expect(page.locator('#agency_code-error')).toContainText('機關代號格式錯誤');
  await code.fill('379130000C');
  await expect(page.locator('#agency_code-error')).toHaveText('');
  await page.getByLabel('機關憑證 PIN 碼').fill(agency.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/agency-link$/);
});

test('f5 a company card is refused on agency sign-in', async ({ page }) => {
  await page.goto('/agency/sign-in');
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(company.reader);
  await expect(page.locator('.card-status')).toContainText('憑證種類不符');
  await expect(page.getByRole('button', { name: '登入' })).toBeDisabled();
});
