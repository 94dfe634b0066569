// 國民身分證掛失暨撤銷掛失 without a certificate (L4-1, L4-2), with and without JavaScript.
// Each project uses its own citizen: the hydrated one 王小明 (id-card-loss-office spec), this
// one 林美玲, so that the two never share a report.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './support/portal';
import { fillLossForm, lin, solveCaptcha } from './support/loss';

test.describe.configure({ mode: 'serial' });
test.skip(({ javaScriptEnabled }) => javaScriptEnabled !== false, '王小明 is the hydrated project\'s');

test('l4 1 a citizen reports the card lost, finds it in the query and revokes it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: '國民身分證掛失／撤銷掛失' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('國民身分證掛失暨撤銷掛失申請作業');
  await expect(page.locator('main')).toContainText('1996');
  await expectAccessible(page);

  await page.getByRole('link', { name: '國民身分證掛失', exact: true }).click();
  await expect(page.getByLabel('撤銷掛失預設密碼')).toBeVisible();
  await expectAccessible(page);
  await fillLossForm(page, lin, 'Qw12');
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('heading', { name: '掛失完成' })).toBeVisible();
  await expect(page.locator('ol.step-indicator [aria-current="step"]')).toHaveText('掛失完成');
  const reference = (await page.locator('.reference').textContent()) ?? '';
  expect(reference).toMatch(/^L\d{7}-\d{6}$/);

  await page.goto('/id-card/loss/query');
  await expect(page.getByLabel('撤銷掛失預設密碼')).toHaveCount(0);
  await fillLossForm(page, lin);
  await page.getByRole('button', { name: '查詢' }).click();
  await expect(page.locator('table.data')).toContainText(reference);
  await expect(page.locator('table.data')).toContainText('掛失中');

  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, lin, 'Zz99');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.locator('#password-error')).toContainText('尚可再試 2 次');
  // What was typed is still there; the password and the CAPTCHA are not.
  await expect(page.getByLabel('戶籍地址')).toHaveValue(lin.address);
  await expect(page.getByLabel('撤銷掛失預設密碼')).toHaveValue('');
  await page.getByLabel('撤銷掛失預設密碼').fill('Qw12');
  await solveCaptcha(page);
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('heading', { name: '撤銷掛失完成' })).toBeVisible();
  await expect(page.locator('.reference')).toHaveText(reference);
});

test('l4 1 each wrong answer gets the one generic message, and a wrong CAPTCHA is refused', async ({ page }) => {
  // One of each (the client may fail 5 times an hour; the e2e run fails these 4 only).
  const wrong = [
    { ...lin, nationalId: 'A123456798' },
    { ...lin, birthDate: '79/07/16' },
    { ...lin, address: '新北市板橋區文化路一段188巷20號6樓' },
    { ...lin, parentName: '林大同' },
  ];
  const messages = new Set<string>();
  for (const who of wrong) {
    await page.goto('/id-card/loss/query');
    await fillLossForm(page, who);
    await page.getByRole('button', { name: '查詢' }).click();
    await expect(page.getByRole('alert')).toContainText('驗證資料失敗，請確認資料是否輸入有誤');
    await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
    messages.add((await page.getByRole('alert').textContent()) ?? '');
  }
  expect(messages.size).toBe(1);

  await fillLossForm(page, lin);
  await page.getByLabel('圖形驗證碼').fill('00000');
  await page.getByRole('button', { name: '查詢' }).click();
  await expect(page.locator('#captcha-error')).toContainText('圖形驗證碼錯誤或已逾時');
  await expectAccessible(page);
});

test('l4 2 three wrong passwords lock online revocation', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await fillLossForm(page, lin, 'Qw34');
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('heading', { name: '掛失完成' })).toBeVisible();
  for (const left of [2, 1]) {
    await page.goto('/id-card/loss/revoke');
    await fillLossForm(page, lin, 'Zz99');
    await page.getByRole('button', { name: '撤銷掛失' }).click();
    await expect(page.locator('#password-error')).toContainText(`尚可再試 ${left} 次`);
  }
  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, lin, 'Zz99');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.locator('#password-error')).toContainText('被鎖碼');
  // The right password no longer helps: only an office (or the citizen certificate) can revoke.
  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, lin, 'Qw34');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('alert')).toContainText('請洽戶政事務所辦理撤銷掛失');
  await expectAccessible(page);
});
