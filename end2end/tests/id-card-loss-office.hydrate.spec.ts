// The household office's follow-up of an online loss report (L4-4), and the automatic update
// when the citizen revokes a report the office has not confirmed (seed 004 (二)3).
import { expect, test } from '@playwright/test';
import { expectAccessible, waitForHydration } from './support/portal';
import { chooseCard, clerk } from './support/cards';
import { fillLossForm, wang } from './support/loss';

test('l4 4 the clerk contacts the citizen, who then revokes the report', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await waitForHydration(page);
  // The fields check themselves while the citizen types.
  await page.getByLabel('出生年月日').fill('73/02/30');
  await expect(page.locator('#birth_date-error')).not.toBeEmpty();
  await fillLossForm(page, wang, 'Ab12');
  await expect(page.locator('#birth_date-error')).toBeEmpty();
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('heading', { name: '掛失完成' })).toBeVisible();
  const reference = (await page.locator('.reference').textContent()) ?? '';

  await page.goto('/admin/sign-in?next=/admin/id-card-loss');
  await waitForHydration(page);
  await chooseCard(page, clerk);
  await page.getByLabel('自然人憑證 PIN 碼').fill(clerk.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page).toHaveURL(/\/admin\/id-card-loss$/);
  const report = page.locator('section.case', { hasText: reference });
  await expect(report).toContainText('A1*****789');
  await expectAccessible(page);
  await report.getByLabel('電話').check();
  await report.getByLabel('未聯絡到當事人或受委託人/法定代理人').check();
  await report.getByRole('button', { name: '更新掛失紀錄' }).click();
  await expect(page.getByRole('status')).toContainText(reference);
  await expect(page.locator('section.case', { hasText: reference })).toHaveCount(0);

  await page.getByRole('link', { name: '未處理查詢' }).click();
  await expect(page.locator('section.case', { hasText: reference })).toContainText('其他說明');
  await expectAccessible(page);

  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, wang, 'Ab12');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('heading', { name: '撤銷掛失完成' })).toBeVisible();
  // Revoked before the office reached the citizen: confirmed automatically, so no longer open.
  await page.goto('/admin/id-card-loss?tab=unresolved');
  await expect(page.locator('section.case', { hasText: reference })).toHaveCount(0);
});
