// 線上續卡 and 開卡 (C-4): 周淑芬's extended certificate, 20 days before its 8-year end, is
// renewed online with her card and paid (NT$250 + NT$28 postage); the registrar fulfils the renewal onto a
// blank card, which is mailed and counts for nothing until she activates it online with its
// default PIN; then it signs her in. The pages talk to the card helper, so this needs WebAssembly.
import { expect, test } from '@playwright/test';
import { expectAccessible, loadsNewPage, waitForHydration } from './support/portal';
import { chooseCard, printedNumber, registrar, renewalBlankCard, renewCard } from './support/cards';
import { counterPage } from './support/certificate';

test.describe.configure({ mode: 'serial' });

const newCard = printedNumber(renewalBlankCard);

test('c4 an extended certificate is renewed online, the new card mailed, and activated online', async ({ page, browser }) => {
  await page.goto('/');
  await loadsNewPage(page, () => page.getByRole('link', { name: '憑證線上續卡' }).click());
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(renewCard.reader);
  const verdict = page.locator('[data-renewable]');
  await expect(verdict).toHaveText('可線上續卡。');
  await expect(page.locator('.renewal-card')).toContainText('TP03000000054322');
  await expectAccessible(page);

  // Differing user codes are named before the card is asked anything.
  await page.getByLabel('電子郵件信箱（E-MAIL）').fill('lin.renewal@example.com');
  await page.getByLabel('手機號碼').fill('0933222111');
  await page.getByLabel(/^\*?\s*新卡用戶代碼$/).fill('LinNew2026');
  await page.getByLabel('再次輸入新卡用戶代碼').fill('LinNew2027');
  await page.getByLabel('目前卡片 PIN 碼').fill(renewCard.pin);
  await page.getByRole('button', { name: '申請續卡' }).click();
  await expect(page.locator('#user_code_confirm-error')).toContainText('不一致');
  await page.getByLabel('再次輸入新卡用戶代碼').fill('LinNew2026');
  await page.getByLabel('目前卡片 PIN 碼').fill(renewCard.pin);
  await page.getByRole('button', { name: '申請續卡' }).click();
  const receipt = page.locator('.notice.done');
  await expect(receipt).toContainText('續卡申請完成', { timeout: 30_000 });
  await expect(receipt).toContainText('NT$250 + NT$28 = NT$278');
  const reference = (await receipt.locator('.reference').textContent()) ?? '';
  expect(reference).toMatch(/^M\d{7}-\d{6}$/);
  await expect(verdict).toContainText(`已申請線上續卡（申請編號 ${reference}）`);
  await expectAccessible(page);

  // Paid at the (development) payment provider before the card is made; it sends her back.
  await receipt.getByRole('link', { name: '前往繳費' }).click();
  await expect(page.locator('.amount')).toHaveText('NT$278');
  await page.getByRole('button', { name: '確認付款' }).click();
  await expect(page).toHaveURL(/\/certificate\/renewal$/);
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(renewCard.reader);
  await expect(verdict).toContainText(`已申請線上續卡（申請編號 ${reference}），已繳費`);

  // The registrar finds it among the renewals waiting and fulfils it onto a blank card.
  const counter = await counterPage(browser, '/admin/certificate/issue');
  const waiting = counter.locator('section.renewals tr', { hasText: 'F2*****407' });
  await expect(waiting.locator('.paid')).toHaveText('已繳費');
  await expectAccessible(counter);
  await counter.getByRole('button', { name: reference }).click();
  await expect(counter.locator('.application-kind')).toContainText('線上續卡');
  await waitForHydration(counter);
  await counter.getByLabel('空白 IC 卡所在讀卡機').selectOption(renewalBlankCard.reader);
  await counter.getByLabel('登記人員憑證所在讀卡機').selectOption(registrar.reader);
  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill(newCard);
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByRole('button', { name: '製發憑證' }).click();
  const issued = counter.locator('.issued');
  await expect(issued).toContainText('續卡新卡已製妥', { timeout: 30_000 });
  await expect(issued).toContainText('NT$278');

  // Mailed, not activated: the look-up says so, and it signs nobody in.
  await page.goto(`/certificate/status?card=${newCard}`);
  await expect(page.locator('main')).toContainText('待開卡');

  // 開卡 with the new card and its default PIN (her ROC birth date).
  await page.goto('/certificate/activation');
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(renewalBlankCard.reader);
  await expect(page.locator('[data-awaiting]')).toHaveText('此卡片尚未開卡。');
  await expectAccessible(page);
  await page.getByLabel('新卡 PIN 碼').fill('541108');
  await page.getByRole('button', { name: '開卡' }).click();
  await expect(page.getByRole('status')).toContainText('開卡完成');
  await expect(page.locator('[data-awaiting]')).toHaveText('此卡片已開卡，可正常使用。');
  await expectAccessible(page);

  await page.goto('/citizen/sign-in?next=/id-card/loss/card');
  await waitForHydration(page);
  await chooseCard(page, renewalBlankCard);
  await page.getByLabel('自然人憑證 PIN 碼').fill('541108');
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page.locator('main', { hasText: 'F2*****407' })).toBeVisible();
});
