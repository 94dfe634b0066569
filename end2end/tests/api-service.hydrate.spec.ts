// The ID-card verification API service as a company and a ministry reviewer use it (seed 000,
// 圖1–28): apply, be approved, upload the API certificate, read the isskey and apId, change the
// IP, ask for deactivation, cancel a case within 24 hours, and follow it all in 進度查詢.
// Screenshots of each figure's screen are kept with the test's results.
import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chooseCard, company, reviewer } from './support/cards';
import { fillLossForm, zhang } from './support/loss';
import { clickConfirming, downloadPdf, expectAccessible, keepScreenshot, waitForHydration, waitForPath } from './support/portal';

// One company, one story: the steps depend on each other, and each is long.
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const apiCertificate = process.env.HUJI_E2E_API_CERT ?? '';

async function signInCompany(page: Page, next: string): Promise<void> {
  await page.goto(next);
  await expect(page).toHaveURL(/\/company\/sign-in/);
  await waitForHydration(page);
  await chooseCard(page, company);
  await page.getByLabel('營利事業統一編號').fill('24941832');
  await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(company.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, next);
}

async function reviewerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/admin/sign-in?next=/admin/api-cases');
  await waitForHydration(page);
  await chooseCard(page, reviewer);
  await page.getByLabel('自然人憑證 PIN 碼').fill(reviewer.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, '/admin/api-cases');
  return page;
}

/** Chooses 申請事項 and goes to its form (圖2/3, 8, 9, 13, 16). */
async function choose(page: Page, kind: string): Promise<void> {
  await page.goto('/api-service/apply');
  await waitForHydration(page);
  await page.getByLabel('申請事項').selectOption({ label: kind });
  await page.getByRole('button', { name: '下一頁' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(kind);
  await waitForHydration(page);
}

/** Fills the company data of API申請 or 登錄資料修改 (圖4, 14). */
async function fillCompany(page: Page, ip: string): Promise<void> {
  await page.getByLabel('公司名稱').fill('蝦蝦樂購股份有限公司');
  await page.getByLabel('連線主機網路位址').fill(ip);
  await page.getByLabel('聯絡人').fill('郭總裁');
  await page.getByLabel('聯絡電話（市話）').fill('(02)3939889#86201');
  await page.getByLabel('聯絡電話（手機）').fill('0910123321');
  await page.getByLabel('電子信箱').fill('awapply.ris@example.com');
}

/** Agrees to the rules and presses 申請, confirming the seed's dialog (圖6, 11). */
/** A-R: the agreement box sits inside the folded management rules, so they are opened first. */
async function agree(page: Page): Promise<void> {
  const rules = page.locator('details.rules');
  if (!(await rules.evaluate((details) => (details as HTMLDetailsElement).open))) {
    await rules.locator('> summary').click();
  }
  await page.getByLabel('我已詳閱並同意遵守').check();
}

/** A-2…A-5: the company's card signs the form. Its reader is chosen, and its PIN typed on the
 * form goes to the card helper only. */
async function signWithCard(page: Page, pin = company.pin): Promise<void> {
  await chooseCard(page, company);
  await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(pin);
}

/** A case as the result page names it: the seed's S/N and the 案件編號 read out over the phone. */
interface Filed {
  serial: string;
  number: string;
}

async function submit(page: Page): Promise<Filed> {
  await agree(page);
  await signWithCard(page);
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toBe('請確認資料是否輸入正確?');
    void dialog.accept();
  });
  await page.getByRole('button', { name: '申請', exact: true }).click();
  await expect(page.locator('.outcome')).toBeVisible();
  await expect(page.locator('ol.step-indicator [aria-current="step"]')).toHaveText('申請完成');
  const serial = (await page.locator('.serial').textContent()) ?? '';
  const number = (await page.locator('.case-number').textContent()) ?? '';
  // Issue 24 item 9: the service's letter, the ROC day and the day's count.
  expect(number).toMatch(/^S\d{7}-\d{6}$/);
  return { serial, number };
}

async function decide(page: Page, filed: Filed, action: '核准' | '駁回', text: string) {
  await page.goto('/admin/api-cases');
  await page.getByRole('link', { name: filed.number }).click();
  // The company card's signature, verified again for the reviewer (A-2…A-5).
  await expect(page.locator('.signature')).toContainText('驗證相符');
  await expectAccessible(page);
  await page.getByLabel('審核結果').fill(text);
  // Issue 24 item 10: 駁回 looks destructive, and each decision asks first.
  const button = page.getByRole('button', { name: action, exact: true });
  if (action === '駁回') await expect(button).toHaveClass(/destructive/);
  await clickConfirming(page, button, action === '核准' ? '確定核准此案件?' : '確定駁回此案件?');
  await expect(page.getByRole('status')).toContainText(action);
}

test('a 1 to a 9 a company applies, is approved, uploads, changes its IP, deactivates and cancels', async ({
  page,
  browser,
}) => {
  expect(apiCertificate, 'scripts/test.sh passes the API certificate').not.toBe('');

  // 圖1: the notices and the rules, public.
  await page.goto('/api-service');
  await expect(page.getByRole('listitem').filter({ hasText: '同日錯誤達3次' })).toBeVisible();
  await expectAccessible(page);
  await keepScreenshot(page, 'fig01-notices');

  // 圖2/3: signed in with the 工商憑證, a first-time company may choose API申請 only.
  await signInCompany(page, '/api-service/apply');
  await expect(page.getByLabel('申請事項').locator('option')).toHaveText(['API申請']);
  await expectAccessible(page);
  await keepScreenshot(page, 'fig03-first-application');

  // 圖4–7: the form checks itself; 取消 in the dialog keeps everything typed.
  await choose(page, 'API申請');
  await page.getByLabel('公司名稱').fill('蝦蝦樂購股份有限公司');
  await page.getByLabel('連線主機網路位址').fill('127.0.0.300');
  await expect(page.locator('#host_ip-error')).not.toBeEmpty();
  await fillCompany(page, '127.0.0.115');
  await expect(page.locator('#host_ip-error')).toBeEmpty();
  // F-2: the live count is of characters as a person sees them, counted by the browser: a
  // family emoji, a flag and a letter with its accent typed as two code points are one each.
  await page.getByLabel('使用目的/原因').fill('身分\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u{1F1F9}\u{1F1FC}e\u0301');
  await expect(page.locator('#purpose-count')).toHaveText('5 / 350');
  await page.getByLabel('使用目的/原因').fill('依洗錢防制法第七條，金融機構確認客戶身分時需查驗身分證');
  await expect(page.locator('#purpose-count')).toHaveText('27 / 350');
  // A-R: nothing to tick until the rules are open.
  await expect(page.getByLabel('我已詳閱並同意遵守')).toBeHidden();
  await page.locator('details.rules > summary').click();
  await expect(page.getByText('不得透過第三方軟體、程式批次測試本服務')).toBeVisible();
  await expectAccessible(page);
  await agree(page);
  // Issue 24 item 3: no question while a field is still wrong (no PIN yet); the field says so.
  await page.getByRole('button', { name: '申請', exact: true }).click();
  await expect(page.locator('#pin-error')).not.toBeEmpty();
  await expect(page.getByLabel('聯絡人')).toHaveValue('郭總裁');
  // The question comes once the server found the form right; 取消 keeps everything typed,
  // the PIN too, and nothing is signed.
  await signWithCard(page, '00000000');
  const asked: string[] = [];
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: '申請', exact: true }).click();
  await expect.poll(() => asked).toEqual(['請確認資料是否輸入正確?']);
  await expect(page.getByLabel('工商憑證密碼 (PIN CODE)')).toHaveValue('00000000');
  await expect(page.getByLabel('聯絡人')).toHaveValue('郭總裁');
  await keepScreenshot(page, 'fig05-form');
  // a wrong 工商憑證密碼 is the card's refusal, shown on the form with nothing lost; the
  // PIN itself is never part of the form the portal receives.
  await expect(page.locator('input[type=password]:not([name])')).toHaveCount(1);
  await signWithCard(page, '00000000');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: '申請', exact: true }).click();
  await expect(page.locator('.form-error')).toContainText('尚可再試');
  await expect(page.getByLabel('聯絡人')).toHaveValue('郭總裁');
  await expect(page.getByLabel('連線主機網路位址')).toHaveValue('127.0.0.115');
  const application = await submit(page);
  await expect(page.locator('.outcome')).toContainText('已受理');
  await expect(page.locator('.result')).toContainText(/\d{3}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}/);
  expect(application.serial).toMatch(/^[0-9a-f-]{36}$/);
  await expectAccessible(page);
  await keepScreenshot(page, 'fig07-received');

  // 圖19: while it is in review, nothing else.
  await page.goto('/api-service/apply');
  await expect(page.getByRole('alert')).toContainText('[WARNNING-02] 申請失敗 尚有案件受理中!');

  // The reviewer sees it in the queue with its age, and approves it.
  const review = await reviewerPage(browser);
  await expect(review.getByRole('row', { name: new RegExp(application.number) })).toBeVisible();
  await expectAccessible(review);
  await keepScreenshot(review, 'review-queue');
  await decide(review, application, '核准', '112/11/17 審核通過');

  // 圖8–12: 憑證上傳 takes the API certificate at once and issues the isskey.
  await choose(page, '憑證上傳');
  await page.getByLabel('非IC卡憑證').setInputFiles(apiCertificate);
  await submit(page);
  await expect(page.locator('.outcome')).toContainText('上傳成功');
  const isskey = (await page.locator('.isskey').textContent()) ?? '';
  expect(isskey).toMatch(/^[A-Za-z0-9]{32}$/);
  await keepScreenshot(page, 'fig12-uploaded');

  // 圖28: 進度查詢 shows the grant with copy buttons, and the approved case's manual.
  await page.goto('/api-service/progress');
  await waitForHydration(page);
  await expect(page.locator('dl.grant .isskey')).toHaveText(isskey);
  await expect(page.locator('dl.grant .ap-id')).toHaveText(/^AP[A-Z0-9]{8}$/);
  await expect(page.locator('dl.grant')).toContainText(/有效起始日期\s*\d{7}/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: '複製' }).first().click();
  await expect(page.getByText('已複製')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(isskey);
  // 操作文件下載 is the manual as a PDF (A-R).
  const manual = await downloadPdf(page, '操作文件下載');
  expect(manual.fileName).toMatch(/\.pdf$/);
  await expectAccessible(page);
  await keepScreenshot(page, 'fig28-progress');

  // 圖13–15: a new IP, in effect once approved; the old one is gone (A-N7).
  await choose(page, '登錄資料修改');
  await expect(page.getByLabel('連線主機網路位址')).toHaveValue('127.0.0.115');
  await page.getByLabel('連線主機網路位址').fill('127.0.0.116');
  await page.getByLabel('使用目的/原因').fill('連線主機網路位址IP修改');
  const change = await submit(page);
  await expect(page.locator('.outcome')).toContainText('已受理');
  await keepScreenshot(page, 'fig15-change-received');
  await decide(review, change, '核准', '同意變更');
  await page.goto('/api-service/progress');
  await expect(page.locator('dl.grant .host-ip')).toHaveText('127.0.0.116');

  // 圖16–18 and 22–25: an API停用, cancelled within 24 hours.
  await choose(page, 'API停用');
  await page.getByLabel('使用目的/原因').fill('因應集團組織改造，公司名稱異動停用API服務');
  const stop = await submit(page);
  await keepScreenshot(page, 'fig18-deactivation-received');
  await page.goto('/api-service/progress');
  await waitForHydration(page);
  const card = page.locator(`table[data-case="${stop.serial}"]`);
  await expect(card.locator('.case-status')).toHaveText('受理中');
  await keepScreenshot(page, 'fig22-cancellable');
  page.once('dialog', (dialog) => void dialog.accept());
  await card.getByRole('button', { name: '取消申請' }).click();
  await expect(page.getByRole('status')).toContainText('取消成功');
  await expect(page.locator(`table[data-case="${stop.serial}"] .case-status`)).toHaveText('已取消');
  await expect(page.getByRole('button', { name: '取消申請' })).toHaveCount(0);
  await keepScreenshot(page, 'fig25-cancelled');

  // A deactivation the reviewer rejects (圖27) and one approved: the grant is 停用.
  await choose(page, 'API停用');
  await page.getByLabel('使用目的/原因').fill('停止查驗業務');
  const rejected = await submit(page);
  await decide(review, rejected, '駁回', '請檢附董事會決議');
  await page.goto('/api-service/progress');
  const rejectedCard = page.locator(`table[data-case="${rejected.serial}"]`);
  await expect(rejectedCard.locator('.case-status')).toHaveText('駁回');
  await expect(rejectedCard).toContainText('請檢附董事會決議');
  await keepScreenshot(page, 'fig27-rejected');
  await choose(page, 'API停用');
  await page.getByLabel('使用目的/原因').fill('停止查驗業務');
  const approved = await submit(page);
  await decide(review, approved, '核准', '同意停用');
  await page.goto('/api-service/progress');
  await expect(page.locator('dl.grant .grant-status')).toHaveText('停用');
  await page.goto('/api-service/apply');
  await expect(page.getByLabel('申請事項').locator('option')).toHaveText(['API申請']);
  await review.context().close();
});

test('a 10 a n11 the reviewer asks for material, suspends and revokes; the company files a plan', async ({
  page,
  browser,
}) => {
  await signInCompany(page, '/api-service/progress');
  await choose(page, 'API申請');
  await fillCompany(page, '127.0.0.117');
  await page.getByLabel('使用目的/原因').fill('依洗錢防制法第七條需查驗身分證');
  const application = await submit(page);

  // 通知補正資料: due in 5 working days, answered by the company on 進度查詢.
  const review = await reviewerPage(browser);
  await review.getByRole('link', { name: application.number }).click();
  await expect(review.locator('.notice').filter({ hasText: '商工登記' })).toContainText('核准設立');
  await review.getByLabel('審核結果').fill('請檢附洗錢防制法之適用證明');
  await clickConfirming(review, review.getByRole('button', { name: '通知補正資料' }), '確定通知申請公司補正資料?');
  await expect(review.getByRole('status')).toContainText(/已通知補正資料，期限 \d{3}\/\d{2}\/\d{2}/);
  await keepScreenshot(review, 'review-material');

  await page.goto('/api-service/progress');
  const card = page.locator(`table[data-case="${application.serial}"]`);
  await expect(card).toContainText('請檢附洗錢防制法之適用證明');
  await card.getByLabel('補正說明').fill('本公司為洗錢防制法所定之金融機構');
  await card.getByRole('button', { name: '送出補正資料' }).click();
  await expect(page.getByRole('status')).toContainText('補正資料已送出');
  await expectAccessible(page);
  await keepScreenshot(page, 'progress-material-answered');

  await decide(review, application, '核准', '補正完成，審核通過');

  // A-N9 暫停 and 註銷, each seen by the company; A-N11: its 改善做法 filed in the portal and
  // approved, after which it applies anew.
  const act = async (action: string, reason: string) => {
    await review.goto('/admin/api-cases');
    const row = review.getByRole('row').filter({ hasText: '24941832' });
    await row.getByLabel('動作').selectOption({ label: action });
    await row.getByLabel('原因').fill(reason);
    await clickConfirming(review, row.getByRole('button', { name: '送出' }), '確定對此公司執行所選動作?');
    await expect(review.getByRole('status')).toContainText('24941832');
  };
  const offered = page.getByLabel('申請事項').locator('option');
  await act('暫停', '異常使用：短時間大量查驗');
  await expectAccessible(review);
  await keepScreenshot(review, 'review-suspended');
  await page.goto('/api-service/progress');
  await expect(page.locator('dl.grant .grant-status')).toHaveText('暫停');
  await page.goto('/api-service/apply');
  await expect(page.getByRole('status')).toContainText('應先提出改善做法');
  await expect(offered).toHaveText(['改善做法', 'API停用']);
  await act('註銷', '違反管理規範');
  await choose(page, '改善做法');
  await page.getByLabel('改善做法').fill('已停止以第三方工具批次查驗，並建立每日查驗紀錄稽核');
  await expectAccessible(page);
  const plan = await submit(page);
  await decide(review, plan, '核准', '改善做法可行');
  await page.goto('/api-service/apply');
  await expect(page.getByRole('status')).toContainText('改善做法已經內政部核可');
  await expect(offered).toHaveText(['API申請']);
  await keepScreenshot(page, 'apply-after-plan');
  await review.context().close();
});

/** The verification API's verdict for 張家豪's current card, asked as the company's server
 * asks: a token from `huji api-token` (the documented client), from the registered IP. */
async function verdictForZhang(page: Page, apId: string, isskey: string): Promise<string> {
  const huji = process.env.HUJI_E2E_HUJI ?? '';
  const key = process.env.HUJI_E2E_API_KEY ?? '';
  expect(huji && key, 'scripts/test.sh passes the huji binary and the API key').toBeTruthy();
  const jwt = execFileSync(huji, [
    'api-token', '--org-id', '24941832', '--ap-id', apId, '--isskey', isskey, '--key', key,
    '--user-id', 'e2e', '--person-id', zhang.nationalId, '--apply-code', '1',
    '--apply-date', '1120710', '--issue-site', '64000',
  ]).toString().trim();
  const response = await page.request.get('/integration/rwv2c2/', {
    headers: { Authorization: `Bearer ${jwt}` },
  });
  const answer = await response.json();
  expect(answer.rdCode, JSON.stringify(answer)).toBe('RS7009');
  return answer.responseData.checkIdCardApply;
}

test('a 11 l4 the company server verifies a card, which is reported lost and found again', async ({
  page,
  browser,
}) => {
  // Apply for this machine's address, be approved, upload the certificate.
  await signInCompany(page, '/api-service/progress');
  await choose(page, 'API申請');
  await fillCompany(page, '127.0.0.1');
  await page.getByLabel('使用目的/原因').fill('依洗錢防制法第七條需查驗身分證');
  const application = await submit(page);
  const review = await reviewerPage(browser);
  await decide(review, application, '核准', '審核通過');
  await review.context().close();
  await choose(page, '憑證上傳');
  await page.getByLabel('非IC卡憑證').setInputFiles(apiCertificate);
  await submit(page);
  const isskey = (await page.locator('.isskey').textContent()) ?? '';
  await page.goto('/api-service/progress');
  const apId = (await page.locator('dl.grant .ap-id').textContent()) ?? '';

  expect(await verdictForZhang(page, apId, isskey)).toBe('1');

  // The citizen reports the card lost (seed 004): the API says so at once.
  await page.goto('/id-card/loss/report');
  await fillLossForm(page, zhang, 'Zz12');
  await page.getByRole('button', { name: '掛失' }).click();
  await expect(page.getByRole('heading', { name: '掛失完成' })).toBeVisible();
  expect(await verdictForZhang(page, apId, isskey)).toBe('7');

  // Found again and revoked: the card matches again.
  await page.goto('/id-card/loss/revoke');
  await fillLossForm(page, zhang, 'Zz12');
  await page.getByRole('button', { name: '撤銷掛失' }).click();
  await expect(page.getByRole('heading', { name: '撤銷掛失完成' })).toBeVisible();
  expect(await verdictForZhang(page, apId, isskey)).toBe('1');
});
