// 臨櫃發證 (C-2): a citizen pre-applies online, the registrar of another office finds the
// application and issues the card — the blank card makes its key, the registrar's card signs,
// the RA checks and the development MOICA CA certifies — and the citizen signs in with the new
// card and the default PIN. The page talks to the card helper, so this needs WebAssembly.
import { expect, Locator, Page, test } from '@playwright/test';
import { downloadPdf, expectAccessible, waitForHydration, waitForPath } from './support/portal';
import { baseURL, blankCard, chooseCard, helperURL, printedNumber, registrar } from './support/cards';
import { counterPage, fillApplication, huang, searchFor, sendApplication } from './support/certificate';

test.describe.configure({ mode: 'serial' });

const cardNumber = printedNumber(blankCard);

/** Tries the new card at the citizen sign-in; whether it signed in. */
async function citizenSignsIn(page: Page): Promise<boolean> {
  await page.goto('/citizen/sign-in?next=/id-card/loss/card');
  await waitForHydration(page);
  await page.getByLabel('讀卡機').selectOption(blankCard.reader);
  const holder = page.locator('.card-holder');
  const refused = page.getByRole('alert').filter({ hasText: /廢止|停用/ });
  await expect(holder.or(refused)).toBeVisible();
  if (await refused.isVisible()) return false;
  await page.getByLabel('自然人憑證 PIN 碼').fill('770312');
  await page.getByRole('button', { name: '登入' }).click();
  const signedIn = page.locator('main', { hasText: 'A2*****575' });
  await expect(signedIn.or(refused)).toBeVisible();
  return new URL(page.url()).pathname === '/id-card/loss/card';
}

test('c2 the registrar issues the pre-applied card and the citizen signs in with the default PIN', async ({ page, browser }) => {
  await page.goto('/certificate/apply');
  await waitForHydration(page);
  // No mobile number: the seed does not ask for one (issue 20 item 13).
  await fillApplication(page, huang, { mobile: '' });
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
  await expect(application).toContainText('（未填）');
  await waitForHydration(counter);
  await expectAccessible(counter);

  // The 憑證申請書 the applicant signs, printed from the counter (issue 20 item 11).
  const paper = await downloadPdf(counter, '列印憑證申請書（PDF）');
  expect(paper.fileName).toContain(reference);

  // Issue 24 item 5: no reader is chosen for the registrar, and the two cards need one each;
  // the PIN typed stays until the readers are right.
  const blankReader = counter.getByLabel('空白 IC 卡所在讀卡機');
  const ownReader = counter.getByLabel('登記人員憑證所在讀卡機');
  await expect(blankReader).toHaveValue('');
  await expect(ownReader).toHaveValue('');
  await blankReader.selectOption(blankCard.reader);
  await ownReader.selectOption(blankCard.reader);
  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill(cardNumber);
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByLabel('已與申請人本人核對上列申請編號、電子郵件信箱及手機號碼無誤').check();
  await counter.getByRole('button', { name: '製發憑證' }).click();
  await expect(counter.locator('.form-error')).toHaveText('空白 IC 卡與登記人員憑證須插在不同的讀卡機。');
  await expect(counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/)).toHaveValue(registrar.pin);
  await expect(counter.locator('.issued')).toHaveCount(0);
  await ownReader.selectOption(registrar.reader);

  // A card number that does not parse is named and nothing happens.
  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill('TP04');
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByRole('button', { name: '製發憑證' }).click();
  await expect(counter.locator('#card_number-error')).not.toBeEmpty();

  // A number that is not the one the blank card's chip attests is named on the field, and
  // nothing is issued (issue 21 item 10).
  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill('TP04000000000001');
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByLabel('已與申請人本人核對上列申請編號、電子郵件信箱及手機號碼無誤').check();
  await counter.getByRole('button', { name: '製發憑證' }).click();
  await expect(counter.locator('#card_number-error')).toContainText('IC 卡號與讀卡機中卡片晶片所載不符');
  await expect(counter.locator('.issued')).toHaveCount(0);

  await counter.getByRole('textbox', { name: 'IC 卡號' }).fill(cardNumber);
  await counter.getByLabel(/^\*?\s*登記人員 PIN 碼$/).fill(registrar.pin);
  await counter.getByLabel('已與申請人本人核對上列申請編號、電子郵件信箱及手機號碼無誤').check();
  await counter.getByRole('button', { name: '製發憑證' }).click();
  const issued = counter.locator('.issued');
  await expect(issued).toContainText('發證完成', { timeout: 30_000 });
  await expect(issued).toContainText(cardNumber);
  await expect(issued).toContainText('NT$250');
  // Issue 24 item 7: the page says the application is done and offers nothing more to issue.
  await expect(counter.locator('.application-status')).toHaveText('已發證');
  await expect(counter.getByRole('button', { name: '製發憑證' })).toBeHidden();
  await expect(counter.getByRole('textbox', { name: 'IC 卡號' })).toBeHidden();
  await expectAccessible(counter);
  const face = await downloadPdf(counter, '列印卡面（PDF）');
  expect(face.fileName).toBe(`card-face-${cardNumber}.pdf`);

  // Searched again, the application is done.
  await counter.goto('/admin/certificate/issue');
  await searchFor(counter, reference);
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

/** 林美玲 asks for the holder, with the 委託書 checked. */
async function asDelegate(form: Locator): Promise<void> {
  await form.getByLabel('受委託人（持委託書）').check();
  await form.getByLabel('受委託人姓名').fill('林美玲');
  await form.getByLabel('受委託人國民身分證統一編號').fill('F228135791');
  await form.getByLabel('已核對自然人憑證代辦事項委託書及雙方國民身分證正本').check();
}

test('c3 the counter resets a forgotten user code for a delegate, and the PIN returns to the default', async ({ page, browser, request }) => {
  // The holder changed the PIN since, and forgot the 用戶代碼.
  const change = await request.post(`${helperURL}/v1/pin/change`, {
    headers: { Origin: baseURL },
    data: { old_pin: '770312', new_pin: '24682468', reader: blankCard.reader },
  });
  expect(change.status(), await change.text()).toBe(200);

  const counter = await counterPage(browser, '/admin/certificate/services', cardNumber);
  const reset = counter.locator('section.card-at-counter.reset_user_code');
  await waitForHydration(counter);
  await reset.getByLabel('讀卡機').selectOption(blankCard.reader);
  await asDelegate(reset);
  await reset.getByLabel(/^\*?\s*新用戶代碼$/).fill('Reset2026x');
  await reset.getByLabel('再次輸入新用戶代碼').fill('Reset2026y');
  await reset.getByRole('button', { name: '重設用戶代碼' }).click();
  await expect(reset.locator('#user_code_confirm-error')).toContainText('不一致');
  await reset.getByLabel(/^\*?\s*新用戶代碼$/).fill('Reset2026x');
  await reset.getByLabel('再次輸入新用戶代碼').fill('Reset2026x');
  await reset.getByRole('button', { name: '重設用戶代碼' }).click();
  await expect(reset.getByRole('status')).toContainText('用戶代碼已重設', { timeout: 30_000 });
  await expectAccessible(counter);

  // The card is years from expiry: the counter's extension is refused, nothing written.
  const extension = counter.locator('section.card-at-counter.extend');
  await extension.getByLabel('讀卡機').selectOption(blankCard.reader);
  await extension.getByRole('button', { name: '臨櫃展期' }).click();
  await expect(extension.getByRole('alert').filter({ hasText: '尚未到可辦理展期的期間' })).toBeVisible();

  // The default PIN (her ROC birth date) signs in again, and the new 用戶代碼 unlocks.
  expect(await citizenSignsIn(page)).toBe(true);
  const unlock = await request.post(`${helperURL}/v1/pin/unlock`, {
    headers: { Origin: baseURL },
    data: { user_code: 'Reset2026x', new_pin: '770312', reader: blankCard.reader },
  });
  expect(unlock.status(), await unlock.text()).toBe(200);
});

test('c5 the counter suspends and resumes for a delegate, refuses revocation by a delegate, and revokes for the holder', async ({ page, browser }) => {
  const counter = await counterPage(browser, '/admin/certificate/services', cardNumber);
  await expect(counter.locator('.certificate-state')).toHaveText('有效');
  await expectAccessible(counter);
  const serve = async (service: string, delegate: boolean, confirm = false) => {
    const form = counter.locator('form.service-form');
    if (delegate) {
      await asDelegate(form);
    } else {
      await form.getByLabel('憑證用戶本人').check();
    }
    await form.getByLabel(service).check();
    if (confirm) await form.getByLabel(/確認廢止/).check();
    await form.getByRole('button', { name: '送出' }).click();
  };

  await serve('憑證 IC 卡停用', true);
  await expect(counter.getByRole('status')).toContainText('已停用');
  await expect(counter.locator('.certificate-state')).toHaveText('停用');
  expect(await citizenSignsIn(page)).toBe(false);

  await serve('憑證 IC 卡復用', true);
  await expect(counter.getByRole('status')).toContainText('已復用');
  expect(await citizenSignsIn(page)).toBe(true);

  await serve('憑證廢止（本人親辦，不可回復）', true, true);
  await expect(counter.getByRole('alert').filter({ hasText: '不得委託' })).toBeVisible();
  await expect(counter.locator('.certificate-state')).toHaveText('有效');

  await serve('憑證廢止（本人親辦，不可回復）', false, true);
  await expect(counter.getByRole('status')).toContainText('已廢止');
  await expect(counter.locator('.certificate-state')).toHaveText('廢止');
  await expectAccessible(counter);
  expect(await citizenSignsIn(page)).toBe(false);
  await page.goto(`/certificate/status?card=${cardNumber}`);
  await expect(page.locator('main')).toContainText('廢止');
});

test('c2 without an online application the registrar fills one in at the counter', async ({ browser }) => {
  // 黃雅婷's last application was issued (and the card revoked above): a new one at the desk.
  const counter = await counterPage(browser, '/admin/certificate/issue', huang.nationalId);
  await expect(counter.locator('.application-status')).toHaveText('已發證');
  const form = counter.locator('section.counter-application');
  await expect(form).toBeVisible();
  await expect(form.getByRole('textbox', { name: '國民身分證統一編號' })).toHaveValue(huang.nationalId);
  await expect(form.locator('img[src^="/captcha/"]')).toHaveCount(0);
  await form.getByRole('textbox', { name: '姓名', exact: true }).fill(huang.name);
  await form.getByRole('textbox', { name: '出生年月日', exact: true }).fill(huang.birthDate);
  await form.getByLabel('電子郵件信箱（E-MAIL）').fill(huang.email);
  await form.getByLabel('手機號碼').fill('0922333444');
  await form.getByLabel(/^\*?\s*用戶代碼$/).fill('Desk2026b');
  await form.getByLabel('再次輸入用戶代碼').fill('Desk2026b');
  await expectAccessible(counter);
  counter.once('dialog', (dialog) => dialog.accept());
  await form.getByRole('button', { name: '送出申請' }).click();
  await expect(counter.locator('.application-status')).toHaveText('待領取');
  await expect(counter.getByRole('heading', { name: '製發憑證' })).toBeVisible();
  await expectAccessible(counter);
});
