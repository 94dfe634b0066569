// Issue 24: what a newcomer meets on every page — who is signed in and 登出 in the header, the
// question asked only once the fields pass, one error summary that links every refused field,
// a CAPTCHA that can be replaced in place, and 清除 last and asking first.
import { expect, Page, test } from '@playwright/test';
import { counterPage, huang } from './support/certificate';
import { fillLossAnswers, solveCaptcha } from './support/loss';
import { expectAccessible, expectErrorSummary, loadsNewPage, waitForHydration } from './support/portal';

/** Every dialog the page opens, answered with `accept`. */
function dialogs(page: Page, accept: boolean): string[] {
  const asked: string[] = [];
  page.on('dialog', async (dialog) => {
    asked.push(dialog.message());
    await (accept ? dialog.accept() : dialog.dismiss());
  });
  return asked;
}

test('issue 24 1 the header names who is signed in on every page and signs them out', async ({ browser }) => {
  const page = await counterPage(browser, '/admin');
  const party = page.locator('header .signed-in');
  await expect(party).toContainText('工作人員');
  const name = (await party.locator('.party-name').textContent()) ?? '';
  expect(name.trim()).not.toBe('');
  await page.goto('/id-card/loss/report');
  await expect(party.locator('.party-name')).toHaveText(name);
  await expect(party.getByRole('link')).toHaveAttribute('href', '/admin');
  await expectAccessible(page);

  await party.getByRole('button', { name: '登出' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('header .signed-in')).toHaveCount(0);
  const after = await page.goto('/admin');
  expect(after?.url()).toContain('/admin/sign-in');
});

test('issue 24 3 the question is asked only once the fields pass', async ({ page }) => {
  const asked = dialogs(page, false);
  const send = async () => {
    await loadsNewPage(page, () => page.getByRole('button', { name: '送出申請' }).click());
    await waitForHydration(page);
  };
  const fillAllBut = async (nationalId: string) => {
    await page.getByLabel('國民身分證統一編號').fill(nationalId);
    await page.getByRole('textbox', { name: '姓名', exact: true }).fill(huang.name);
    await page.getByRole('textbox', { name: '出生年月日', exact: true }).fill(huang.birthDate);
    await page.getByLabel('電子郵件信箱（E-MAIL）').fill(huang.email);
    await page.getByLabel(/^\*?\s*用戶代碼$/).fill('Huji2026a');
    await page.getByLabel('再次輸入用戶代碼').fill('Huji2026a');
    await solveCaptcha(page);
  };
  await page.goto('/certificate/apply');
  await waitForHydration(page);
  // Empty: no question; the server names every required field.
  await send();
  expect(await expectErrorSummary(page)).toBeGreaterThan(3);
  expect(asked).toEqual([]);

  // Every field right but one the parser refuses as typed: still no question, and the
  // server names that one field.
  await fillAllBut('A12345678');
  await send();
  expect(asked).toEqual([]);
  await expect(page.locator('.error-summary a[href="#national_id"]')).toBeVisible();

  // Every field right: the seed's question, and 取消 leaves the form as it was, unsent.
  await fillAllBut(huang.nationalId);
  const challenge = await page.locator('input[name="captcha_id"]').getAttribute('value');
  await page.getByRole('button', { name: '送出申請' }).click();
  await expect.poll(() => asked).toEqual(['請確認資料是否輸入正確?']);
  await expect(page.getByLabel('國民身分證統一編號')).toHaveValue(huang.nationalId);
  await expect(page.locator('input[name="captcha_id"]')).toHaveValue(challenge ?? '');
});

test('issue 24 4 the error summary lists and links every refused field', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await waitForHydration(page);
  await loadsNewPage(page, () => page.getByRole('button', { name: '掛失' }).click());
  const refused = await page.locator('main [aria-invalid="true"]').count();
  expect(refused).toBeGreaterThan(3);
  expect(await expectErrorSummary(page)).toBe(refused);
  await page.locator('.error-summary li a').first().click();
  await expect(page).toHaveURL(/#national_id$/);
  await expectAccessible(page);
});

test('issue 24 12 a new CAPTCHA picture comes in place and keeps what was typed', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await waitForHydration(page);
  await fillLossAnswers(page, huang);
  const id = page.locator('input[name="captcha_id"]');
  const first = await id.getAttribute('value');
  await page.getByLabel('圖形驗證碼').fill('12');
  await page.getByRole('button', { name: '換一張圖片' }).click();
  await expect(id).not.toHaveValue(first ?? '');
  const fresh = await id.getAttribute('value');
  await expect(page.locator('img[src^="/captcha/"]')).toHaveAttribute('src', `/captcha/${fresh}`);
  await expect(page.getByLabel('圖形驗證碼')).toHaveValue('');
  await expect(page.getByLabel('圖形驗證碼')).toBeFocused();
  await expect(page.getByLabel('國民身分證統一編號')).toHaveValue(huang.nationalId);
  // The new challenge is a real one: its answer is on record.
  await solveCaptcha(page);
  await expect(page.getByLabel('圖形驗證碼')).toHaveValue(/^\d{5}$/);
});

test('issue 24 10 清除 comes after the action and asks before it clears', async ({ page }) => {
  await page.goto('/id-card/loss/report');
  await waitForHydration(page);
  const buttons = page.locator('form .buttons button');
  await expect(buttons.last()).toHaveText('清除');
  await expect(buttons.first()).toHaveText('掛失');
  const field = page.getByLabel('國民身分證統一編號');
  await field.fill(huang.nationalId);

  const asked: string[] = [];
  page.once('dialog', async (dialog) => {
    asked.push(dialog.message());
    await dialog.dismiss();
  });
  await buttons.last().click();
  await expect.poll(() => asked).toEqual(['確定要清除已輸入的資料嗎?']);
  await expect(field).toHaveValue(huang.nationalId);

  page.once('dialog', (dialog) => dialog.accept());
  await buttons.last().click();
  await expect(field).toHaveValue('');
});

test('issue 24 11 the PIN fields show only when the applicant sets their own PIN', async ({ page }) => {
  await page.goto('/certificate/apply');
  const pin = page.getByLabel(/^\*?\s*卡片密碼（PIN 碼）$/);
  await expect(page.getByLabel('使用預設密碼')).toBeChecked();
  await expect(pin).toBeHidden();
  await page.getByLabel('自行設定').check();
  await expect(pin).toBeVisible();
  await expect(page.getByLabel('再次輸入卡片密碼')).toBeVisible();
});

test('issue 24 11 a new PIN is chosen under the rule every card PIN follows', async ({ page }) => {
  // (The extension page's check of a typed PIN: certificate-extension.hydrate.spec.ts.)
  await page.goto('/certificate/apply');
  await page.getByLabel('自行設定').check();
  await expect(page.getByLabel(/^\*?\s*卡片密碼（PIN 碼）$/)).toHaveAttribute('maxlength', '8');
  await expect(page.locator('main')).toContainText('6 至 8 位數字');
  await expect(page.locator('main')).not.toContainText('6 至 16 個字元');
});

test('issue 24 6 the application says first that a valid certificate is not applied for again', async ({ page }) => {
  await page.goto('/certificate/apply');
  const notice = page.locator('#one-certificate');
  await expect(notice).toContainText('已持有效自然人憑證者，請勿重複申請。');
  await expect(notice.getByRole('link', { name: '線上展期' })).toHaveAttribute('href', '/certificate/extension');
  await expect(notice.getByRole('link', { name: '線上續卡' })).toHaveAttribute('href', '/certificate/renewal');
  // It comes before the form, where it can still change the visitor's mind.
  const before = await notice.evaluate((n) =>
    Boolean(n.compareDocumentPosition(document.querySelector('main form')!) & Node.DOCUMENT_POSITION_FOLLOWING));
  expect(before).toBe(true);
  await expectAccessible(page);
});
