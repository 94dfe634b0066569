// 自然人憑證線上申請 (方法2 線上填單、臨櫃取卡; C-1, C-2), with and without JavaScript. Each
// project applies for its own citizen (hydrated: 王小明, no JavaScript: 林美玲), so the two
// never replace each other's application. The under-18 refusal is proved with a fixed clock
// in the integration tests: here the real date would move the edge.
import { expect, test } from '@playwright/test';
import { downloadPdf, expectAccessible, keepScreenshot } from './support/portal';
import { Citizen, lin, wang } from './support/loss';
import { fillApplication, sendApplication } from './support/certificate';

test.describe.configure({ mode: 'serial' });

/** 陳志強, under guardianship (受監護宣告) in the demo registry. */
const chen: Citizen = {
  ...wang,
  nationalId: 'B103654780',
  name: '陳志強',
  birthDate: '39/03/20',
};

function applicant(javaScriptEnabled: boolean | undefined): Citizen {
  return javaScriptEnabled === false ? lin : wang;
}

test('c2 a citizen pre-applies online and gets a summary to print', async ({ page, javaScriptEnabled }) => {
  const who = applicant(javaScriptEnabled);
  await page.goto('/');
  await page.getByRole('link', { name: '線上申請（線上填單、臨櫃取卡）' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('自然人憑證線上申請');
  const main = page.locator('main');
  for (const note of ['250', '8:30', '國民身分證正本', '730101']) await expect(main).toContainText(note);
  await expectAccessible(page);
  // The paper form for those who would rather write (issue 20 item 11).
  const blank = await downloadPdf(page, '自然人憑證申請表（PDF）');
  expect(blank.fileName).toContain('自然人憑證申請表');

  await fillApplication(page, who, { pin: '24681357' });
  await sendApplication(page);
  await expect(page.getByRole('heading', { name: '線上申請完成' })).toBeVisible();
  await expect(page.locator('.reference')).toHaveText(/^M\d{7}-\d{6}$/);
  // Issue 24: the step indicator moves on, the step behind marked done.
  await expect(page.locator('ol.step-indicator [aria-current="step"]')).toHaveText('列印申請摘要');
  await expect(page.locator('ol.step-indicator li.done')).toHaveText('已完成：線上填寫申請資料');
  await expect(main).toContainText(who.name);
  await expect(main).toContainText(`${who.nationalId.slice(0, 2)}*****${who.nationalId.slice(7)}`);
  await expect(main).toContainText('已自行設定');
  await expect(main).not.toContainText('Huji2026a');
  await expect(main).not.toContainText('24681357');
  if (javaScriptEnabled !== false) await expectAccessible(page);

  // Printed, the summary stands alone: no site header, no print hint.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.locator('.summary .no-print')).toBeHidden();
  await expect(page.locator('ol.step-indicator')).toBeHidden();
  await expect(page.locator('.reference')).toBeVisible();
  await keepScreenshot(page, 'summary-print');
});

test('c1 a citizen under guardianship is refused like a mismatch, and what was typed is kept', async ({ page }) => {
  await page.goto('/certificate/apply');
  await fillApplication(page, chen);
  await sendApplication(page);
  // Not identified by a card: no reason named (issue 21 item 5).
  await expect(page.getByRole('alert')).toContainText('身分資料與戶籍資料不符');
  await expect(page.getByRole('alert')).not.toContainText('受監護宣告');
  await expect(page.getByLabel('電子郵件信箱（E-MAIL）')).toHaveValue(chen.email);
  await expect(page.getByLabel(/^\*?\s*用戶代碼$/)).toHaveValue('');
  await expectAccessible(page);
});

test('c2 mismatched confirmations are named next to their fields', async ({ page, javaScriptEnabled }) => {
  const who = applicant(javaScriptEnabled);
  await page.goto('/certificate/apply');
  await fillApplication(page, who, { confirm: 'Huji2026b' });
  await sendApplication(page);
  await expect(page.locator('#user_code_confirm-error')).toContainText('兩次輸入的用戶代碼不一致');
  await expect(page.getByLabel('國民身分證統一編號')).toHaveValue(who.nationalId);
  await expect(page.getByLabel('再次輸入用戶代碼')).toHaveValue('');
});

test('c2 the application page speaks English', async ({ page }) => {
  await page.goto('/lang/en?next=/certificate/apply');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    'Apply online for a citizen certificate (collect at an office)',
  );
  await expect(page.locator('main')).toContainText('NT$250');
  await expectAccessible(page);
});
