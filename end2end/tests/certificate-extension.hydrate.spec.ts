// 線上展期 (C-4): the citizen extends the certificate on the card in the reader — the card
// signs with its PIN, the RA checks it, the development MOICA CA certifies the same key for 3
// more years from the original expiry, and the page writes the new certificate to the card,
// which then signs in with it. A certificate outside its window is told when it opens. The
// page talks to the card helper, so this needs WebAssembly.
import { expect, Page, test } from '@playwright/test';
import { expectAccessible, loadsNewPage, waitForHydration } from './support/portal';
import { Card, extendCard, wangCard } from './support/cards';

test.describe.configure({ mode: 'serial' });

/** The extension page with `target`'s card chosen, once the RA has judged its certificate. */
async function openWith(page: Page, target: Card): Promise<void> {
  await page.goto('/');
  await loadsNewPage(page, () => page.getByRole('link', { name: '憑證線上展期' }).click());
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(target.reader);
  await expect(page.locator('[data-extendable]')).toBeVisible();
}

test('c4 a certificate far from expiry is told when its extension opens', async ({ page }) => {
  await openWith(page, wangCard);
  const card = page.locator('.extension-card');
  await expect(card).toContainText('TP03000000087321');
  await expect(card).toContainText('王小明');
  await expect(page.locator('[data-extendable]')).toContainText(/尚未到可辦理展期的期間，請於 \d{3}\/\d{2}\/\d{2} 起辦理/);
  await expect(page.getByRole('button', { name: '申請展期' })).toHaveCount(0);
  await expectAccessible(page);
});

test('c4 the holder extends a certificate inside its window once, and signs in with the new one', async ({ page }) => {
  await openWith(page, extendCard);
  const verdict = page.locator('[data-extendable]');
  await expect(verdict).toContainText('可辦理展期：展期後憑證效期至');
  const until = ((await verdict.textContent()) ?? '').match(/\d{3}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}/)?.[0];
  expect(until).toBeTruthy();
  await expectAccessible(page);

  // A PIN that does not parse never reaches the card.
  await page.getByLabel('卡片 PIN 碼').fill('12');
  await page.getByRole('button', { name: '申請展期' }).click();
  // Issue 24 item 11: the same PIN rule, in the same words, as everywhere else.
  await expect(page.locator('#pin-error')).toHaveText('PIN 碼應為 6 至 8 個英文字母或數字');

  await page.getByLabel('卡片 PIN 碼').fill(extendCard.pin);
  await page.getByRole('button', { name: '申請展期' }).click();
  const done = page.locator('.notice.done');
  await expect(done).toContainText('展期完成', { timeout: 30_000 });
  await expect(done).toContainText('TP03000000054321');
  await expect(done).toContainText(until!);
  // Read again from the card: the new certificate, extended once and for all.
  await expect(page.locator('.extension-card')).toContainText(until!);
  await expect(verdict).toContainText('每張憑證限展期一次');
  await expect(page.getByRole('button', { name: '申請展期' })).toHaveCount(0);
  await expectAccessible(page);

  // The public look-up shows the new validity.
  await page.goto('/certificate/status?card=TP03000000054321');
  await expect(page.locator('main')).toContainText(until!);
  await expect(page.locator('main')).toContainText('有效');

  // The card signs in with the certificate it now holds.
  await page.goto('/citizen/sign-in?next=/id-card/loss/card');
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(extendCard.reader);
  await expect(page.locator('.card-holder')).toBeVisible();
  await page.getByLabel('自然人憑證 PIN 碼').fill(extendCard.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page.locator('main', { hasText: 'F2*****791' })).toBeVisible();
});
