// 臨櫃發證 (C-2): a citizen pre-applies online, the registrar of another office finds the
// application and issues the card — the blank card makes its key, the registrar's card signs,
// the RA checks and the development MOICA CA certifies — and the citizen signs in with the new
// card and the default PIN. The page talks to the card helper, so this needs WebAssembly.
import { expect, test } from '@playwright/test';
import { expectAccessible, waitForHydration, waitForPath } from './support/portal';
import { blankCard, chooseCard, registrar } from './support/cards';
import { fillApplication, huang, sendApplication } from './support/certificate';

test.describe.configure({ mode: 'serial' });

/** A card number no earlier run used: 2 letters and 14 digits. */
const cardNumber = `TP04${String(Date.now()).slice(-12).padStart(12, '0')}`;

test('c2 the registrar issues the pre-applied card and the citizen signs in with the default PIN', async ({ page, browser }) => {
  await page.goto('/certificate/apply');
  await waitForHydration(page);
  await fillApplication(page, huang);
  await sendApplication(page);
  await expect(page.getByRole('heading', { name: '線上申請完成' })).toBeVisible();
  const reference = (await page.locator('.reference').textContent()) ?? '';
  expect(reference).toMatch(/^M\d{7}-\d{6}$/);

  // The registrar of 新北市板橋區 signs in and finds the application of a 臺北市 citizen.
  const counter = await (await browser.newContext()).newPage();
  await counter.goto('/admin/sign-in');
  await waitForHydration(counter);
  await chooseCard(counter, registrar);
  await counter.getByLabel('自然人憑證 PIN 碼').fill(registrar.pin);
  await counter.getByRole('button', { name: '登入' }).click();
  await waitForPath(counter, '/admin');
  await counter.getByRole('link', { name: '自然人憑證臨櫃發證' }).click();
  await counter.getByLabel('申請編號或國民身分證統一編號').fill(reference);
  await counter.getByRole('button', { name: '查詢' }).click();
  const application = counter.locator('section.application');
  await expect(application).toContainText('黃雅婷');
  await expect(application).toContainText('A2*****575');
  await expect(application).toContainText('77/03/12');
  await expect(application.locator('.application-status')).toHaveText('待領取');
  await waitForHydration(counter);
  await expectAccessible(counter);

  // A card number that does not parse is named and nothing happens.
  await counter.getByLabel('空白 IC 卡所在讀卡機').selectOption(blankCard.reader);
  await counter.getByLabel('登記人員憑證所在讀卡機').selectOption(registrar.reader);
  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill('TP04');
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByRole('button', { name: '製發憑證' }).click();
  await expect(counter.locator('#card_number-error')).not.toBeEmpty();

  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill(cardNumber);
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByRole('button', { name: '製發憑證' }).click();
  const issued = counter.locator('.issued');
  await expect(issued).toContainText('發證完成', { timeout: 30_000 });
  await expect(issued).toContainText(cardNumber);
  await expect(issued).toContainText('NT$250');
  await expectAccessible(counter);

  // Searched again, the application is done.
  await counter.goto(`/admin/certificate/issue?q=${reference}`);
  await expect(counter.locator('.application-status')).toHaveText('已發證');

  // The public status look-up knows the card.
  await page.goto(`/certificate/status?card=${cardNumber}`);
  await expect(page.locator('main')).toContainText('黃雅婷');
  await expect(page.locator('main')).toContainText('有效');

  // The first sign-in with the new card and the default PIN (her ROC birth date).
  await page.goto('/citizen/sign-in?next=/id-card/loss/card');
  await waitForHydration(page);
  await chooseCard(page, blankCard);
  await expect(page.locator('.card-holder')).toContainText('黃雅婷');
  await page.getByLabel('自然人憑證 PIN 碼').fill('770312');
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/id-card/loss/card');
  await expect(page.locator('main')).toContainText('A2*****575');
});
