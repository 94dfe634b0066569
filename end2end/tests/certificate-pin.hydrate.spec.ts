// 變更 PIN 碼 and 鎖卡解碼 (C-3) on a citizen card through the card helper: the page talks to
// the helper only (the PIN and the 用戶代碼 never reach the portal), so this needs WebAssembly.
import { expect, Page, test } from '@playwright/test';

// Labels start with the required mark (*), hidden from assistive technology.
import { expectAccessible, loadsNewPage, waitForHydration } from './support/portal';
import { pinCard, unlock } from './support/cards';

test.describe.configure({ mode: 'serial' });

// A run stopped half-way leaves the card locked or with another PIN: start from its own.
test.beforeAll(async ({ request }) => unlock(request, pinCard));

async function changePin(page: Page, old: string, next: string): Promise<void> {
  await page.getByLabel('目前的 PIN 碼').fill(old);
  await page.getByLabel(/^\*?\s*新 PIN 碼$/).fill(next);
  await page.getByLabel(/^\*?\s*再次輸入新 PIN 碼$/).fill(next);
  await page.getByRole('button', { name: '變更 PIN 碼' }).click();
}

test('c3 the holder changes the PIN, three wrong PINs lock the card, and the user code unlocks it', async ({ page }) => {
  await page.goto('/');
  await loadsNewPage(page, () => page.getByRole('link', { name: 'PIN 碼變更／鎖卡解碼' }).click());
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(pinCard.reader);
  const status = page.locator('.pin-status');
  await expect(status).toHaveText('PIN 碼尚可嘗試 3 次（共 3 次）。');
  await expectAccessible(page);

  // A new PIN that does not parse, or typed differently twice, never reaches the card.
  await page.getByLabel('目前的 PIN 碼').fill(pinCard.pin);
  await page.getByLabel(/^\*?\s*新 PIN 碼$/).fill('12345');
  await page.getByRole('button', { name: '變更 PIN 碼' }).click();
  await expect(page.locator('#new_pin-error')).toContainText('6 至 8 位數字');
  await changePin(page, pinCard.pin, '24680135');
  await expect(page.locator('.notice.done')).toHaveText('PIN 碼已變更，請牢記新的 PIN 碼。');
  await expect(page.getByLabel('目前的 PIN 碼')).toHaveValue('');

  // The default PIN is no longer the card's: three tries with it lock the card.
  for (const left of [2, 1]) {
    await changePin(page, pinCard.pin, '11112222');
    await expect(page.getByRole('alert').filter({ hasText: 'PIN 碼錯誤' })).toContainText(`尚可再試 ${left} 次`);
    await expect(status).toHaveText(`PIN 碼尚可嘗試 ${left} 次（共 3 次）。`);
  }
  await changePin(page, pinCard.pin, '11112222');
  await expect(status).toContainText('卡片已鎖住');
  // Locked, even the right PIN is refused.
  await changePin(page, '24680135', '11112222');
  await expect(page.getByRole('alert').filter({ hasText: 'PIN 碼已鎖住' })).toBeVisible();

  // 鎖卡解碼: a wrong user code costs a try of its own; the right one sets the new PIN.
  await page.getByLabel('用戶代碼').fill('11111111');
  await page.getByLabel(/^\*?\s*新 PIN 碼（解碼後使用）$/).fill('13572468');
  await page.getByLabel('再次輸入新 PIN 碼（解碼後使用）').fill('13572468');
  await page.getByRole('button', { name: '鎖卡解碼' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '用戶代碼錯誤' })).toBeVisible();
  // When online unlocking fails, the help desk that has the lock lifted is named there (seed 002).
  const hotline = page.locator('.unlock-hotline');
  await expect(hotline).toContainText('內政部憑證中心客服專線');
  await expect(hotline.getByRole('link', { name: '0800-080-117' })).toHaveAttribute('href', 'tel:0800080117');
  await page.getByLabel('用戶代碼').fill(pinCard.userCode);
  await page.getByLabel(/^\*?\s*新 PIN 碼（解碼後使用）$/).fill('13572468');
  await page.getByLabel('再次輸入新 PIN 碼（解碼後使用）').fill('13572468');
  await page.getByRole('button', { name: '鎖卡解碼' }).click();
  await expect(page.locator('.notice.done')).toHaveText('鎖卡解碼完成，已設定新的 PIN 碼。');
  await expect(hotline).toHaveCount(0);
  await expect(status).toHaveText('PIN 碼尚可嘗試 3 次（共 3 次）。');

  // The card now takes the PIN set when unlocking; back to the card's first PIN.
  await changePin(page, '13572468', pinCard.pin);
  await expect(page.locator('.notice.done')).toHaveText('PIN 碼已變更，請牢記新的 PIN 碼。');
  await expectAccessible(page);
});
