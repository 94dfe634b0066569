// The household office's follow-up of an online loss report (L4-4), and the automatic update
// when the citizen revokes a report the office has not confirmed (seed 004 (二)3).
import { expect, test } from '@playwright/test';
import { expectAccessible, waitForHydration, waitForPath } from './support/portal';
import { chooseCard, clerk, registrar, reviewer, wangCard } from './support/cards';
import { fillLossAnswers, fillLossForm, wang } from './support/loss';

// Every test works on 王小明's card: one after the other.
test.describe.configure({ mode: 'serial' });

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
  await expectAccessible(page);
  const reference = (await page.locator('.reference').textContent()) ?? '';

  await page.goto('/admin/sign-in?next=/admin/id-card-loss');
  await waitForHydration(page);
  await chooseCard(page, clerk);
  await page.getByLabel('自然人憑證 PIN 碼').fill(clerk.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/admin/id-card-loss');
  const report = page.locator('section.case', { hasText: reference });
  await expect(report).toContainText('A1*****789');
  await expectAccessible(page);
  await report.getByLabel('電話').check();
  await report.getByLabel('未聯絡到當事人或受委託人/法定代理人').check();
  await report.getByRole('button', { name: '更新掛失紀錄' }).click();
  await expect(page.getByRole('status')).toContainText(reference);
  await expect(page.locator('section.case', { hasText: reference })).toHaveCount(0);

  // The second contact: still unreachable, which needs 其他說明.
  await page.getByRole('link', { name: '未處理查詢' }).click();
  const again = page.locator('section.case', { hasText: reference });
  await expect(again).toContainText('其他說明');
  await expectAccessible(page);
  await again.getByLabel('電子郵件').check();
  await again.getByLabel('未聯絡到當事人或受委託人/法定代理人').check();
  await again.getByRole('button', { name: '更新掛失紀錄' }).click();
  await expect(page.getByRole('alert')).toContainText('請填寫其他說明');
  const still = page.locator('section.case', { hasText: reference });
  await still.getByLabel('電子郵件').check();
  await still.getByLabel('未聯絡到當事人或受委託人/法定代理人').check();
  await still.getByLabel('其他說明').fill('已寄信，電話無人接聽');
  await still.getByRole('button', { name: '更新掛失紀錄' }).click();
  await expect(page.getByRole('status')).toContainText(reference);

  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, wang, 'Ab12');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('heading', { name: '撤銷掛失完成' })).toBeVisible();
  await expectAccessible(page);
  // Revoked before the office reached the citizen: confirmed automatically, so no longer open.
  await page.goto('/admin/id-card-loss?tab=unresolved');
  await expect(page.locator('section.case', { hasText: reference })).toHaveCount(0);

  // Every step went upward: the ministry sees the report, both contacts and the automatic one.
  await page.goto('/admin/sign-in?next=/admin/id-card-loss/events');
  await waitForHydration(page);
  await chooseCard(page, reviewer);
  await page.getByLabel('自然人憑證 PIN 碼').fill(reviewer.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/admin/id-card-loss/events');
  const rows = page.locator('tbody tr', { hasText: reference });
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: '已寄信，電話無人接聽' })).toHaveCount(1);
  await expect(rows.filter({ hasText: '系統自動' })).toContainText('已聯絡到當事人或已確認');
  await expectAccessible(page);
});

test('l4 3 with his citizen certificate he reports and revokes without the questions', async ({ page }) => {
  await page.goto('/id-card/loss');
  await page.getByRole('link', { name: '以自然人憑證辦理掛失／撤銷掛失' }).click();
  await expect(page).toHaveURL(/\/citizen\/sign-in\?next=/);
  await waitForHydration(page);
  await chooseCard(page, wangCard);
  await expect(page.locator('.card-holder')).toContainText('王小明');
  await expectAccessible(page);
  await page.getByLabel('自然人憑證 PIN 碼').fill(wangCard.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/id-card/loss/card');
  await expect(page.locator('main')).toContainText('A1*****789');
  await expect(page.getByLabel('撤銷掛失預設密碼')).toHaveCount(0);
  await expectAccessible(page);
  await page.getByLabel('聯絡電話').fill('0912345678');
  await page.getByLabel('常用電子信箱').fill('wang@example.com');
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('status')).toContainText('您的國民身分證已註記掛失');
  await expect(page.locator('.open-report')).toBeVisible();
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('status')).toContainText('已撤銷掛失');
  await expect(page.getByRole('button', { name: '掛失' })).toBeVisible();

  // F-8, issue 20 item 18: from the same session, who checked his identity.
  await page.getByRole('link', { name: /個資使用紀錄/ }).click();
  await waitForPath(page, '/citizen/usage');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('個資使用紀錄');
  await expect(page.locator('main')).toContainText('A1*****789');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText([
    '國民身分證領補換資料查驗',
    '機關連結查詢戶籍資料',
    '自然人憑證用戶身分確認',
  ]);
  await expectAccessible(page);
});

test('l4 2 locked out online, he revokes at another office, where the registrar checks him', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await fillLossForm(page, wang, 'Ab12');
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('heading', { name: '掛失完成' })).toBeVisible();
  const reference = (await page.locator('.reference').textContent()) ?? '';
  for (const told of ['尚可再試 2 次', '尚可再試 1 次', '被鎖碼']) {
    await page.goto('/id-card/loss/revoke');
    await fillLossForm(page, wang, 'Zz99');
    await page.getByRole('button', { name: '撤銷掛失' }).click();
    await expect(page.locator('#password-error')).toContainText(told);
  }

  // The registrar of 新北市板橋區 (not the report's office) signs in.
  await page.goto('/admin/sign-in?next=/admin/id-card-loss/revoke');
  await waitForHydration(page);
  await chooseCard(page, registrar);
  await page.getByLabel('自然人憑證 PIN 碼').fill(registrar.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/admin/id-card-loss/revoke');
  await page.getByLabel('國民身分證統一編號').fill(wang.nationalId);
  await page.getByRole('button', { name: '查詢掛失紀錄' }).click();
  const report = page.locator('section.case', { hasText: reference });
  await expect(report).toContainText('已錯誤三次並被鎖碼');
  await expectAccessible(page);
  // Not ticked: the server says what is missing and keeps the report on the page.
  await report.getByLabel('尋獲之原國民身分證').check();
  await report.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.locator('#checked-error')).toContainText('請核對當事人身分後勾選確認');
  const again = page.locator('section.case', { hasText: reference });
  await again.getByLabel('尋獲之原國民身分證').check();
  await again.getByLabel('已當面核對當事人身分，確認為本人').check();
  await again.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('status')).toContainText('已撤銷掛失，原國民身分證恢復有效');
  await expect(page.getByRole('status')).toContainText(reference);
  await expectAccessible(page);
});

test('l4 1 by telephone (1996), office staff enter the report and it is revoked at an office', async ({ page }) => {
  await page.goto('/admin/sign-in?next=/admin/id-card-loss/phone');
  await waitForHydration(page);
  await chooseCard(page, registrar);
  await page.getByLabel('自然人憑證 PIN 碼').fill(registrar.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/admin/id-card-loss/phone');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('電話掛失受理');
  // No CAPTCHA and no revocation password: a person types what the caller says.
  await expect(page.getByLabel('撤銷掛失預設密碼')).toHaveCount(0);
  await expect(page.locator('img[src^="/captcha/"]')).toHaveCount(0);
  await fillLossAnswers(page, { ...wang, parentName: '李美麗' });
  await page.getByRole('button', { name: '受理掛失' }).click();
  await expect(page.getByRole('alert')).toContainText('與戶籍資料不符，未受理掛失');
  await fillLossAnswers(page, wang);
  await page.getByRole('button', { name: '受理掛失' }).click();
  await expect(page.getByRole('status')).toContainText('已受理電話掛失');
  const reference = (await page.locator('.reference').textContent()) ?? '';
  expect(reference).toMatch(/^L\d{7}-\d{6}$/);
  await expectAccessible(page);

  // Online revocation has no password to check: the citizen is sent to a certificate or an office.
  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, wang, 'Ab12');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('alert')).toContainText('未設撤銷掛失預設密碼');

  // At the counter the registrar sees how it was made, and revokes it after checking him.
  await page.goto('/admin/id-card-loss/revoke');
  await page.getByLabel('國民身分證統一編號').fill(wang.nationalId);
  await page.getByRole('button', { name: '查詢掛失紀錄' }).click();
  const report = page.locator('section.case', { hasText: reference });
  await expect(report).toContainText('電話掛失（內政服務熱線 1996）');
  await report.getByLabel('尋獲之原國民身分證').check();
  await report.getByLabel('已當面核對當事人身分，確認為本人').check();
  await report.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('status')).toContainText(reference);
});
