// The identity confirmation service's requests as an agency, a bank and the ministry's
// reviewer use them (seed 003 要點三、四、六 and its 申請表, SPEC I-1, I-2, I-4): file 啟用 with
// the server certificate, be refused for a certificate of the wrong authority, be approved
// with an effective date, see the job record the date, print the ministry's letter, file
// 停用, and be stopped by the ministry on a ground of rule 6.
import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { agency, chooseCard, reviewer, Card } from './support/cards';
import { clickConfirming, downloadPdf, expectAccessible, waitForHydration, waitForPath } from './support/portal';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const REQUESTS = '/confirmation/requests';
const DESK = '/admin/confirmation';

/** 示範商業銀行's 工商憑證 (scripts/demo-cards.sh e2e). */
const bank: Card = { reader: 'Huji Soft Token (e2e-bank)', pin: '27350914', userCode: '87654321' };

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through scripts/test.sh`);
  return value;
}

/** A server certificate scripts/demo-cards.sh made, and its serial as the applicant reads it. */
function serverCertificate(name: string): { path: string; serial: string } {
  const path = `${setting('HUJI_E2E_CONFIRM')}/${name}.crt`;
  return { path, serial: new X509Certificate(readFileSync(path)).serialNumber };
}

/** A date `days` from today in Taipei, as ROC year/month/day. */
function rocDate(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${Number(parts.year) - 1911}/${parts.month}/${parts.day}`;
}

/** Runs the job that records approved requests taking effect, as a server's next tick would. */
function runJob(): string {
  return execFileSync(
    setting('HUJI_E2E_HUJI'),
    ['jobs', 'run', '--matching', 'identity confirmation requests'],
    {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, DATABASE_URL: `sqlite:${setting('HUJI_E2E_DB')}` },
    },
  ).toString();
}

async function signInApplicant(browser: Browser, kind: 'agency' | 'company'): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  if (kind === 'agency') {
    await page.goto(`/agency/sign-in?next=${REQUESTS}`);
    await waitForHydration(page);
    await chooseCard(page, agency);
    await page.getByLabel('機關代號').fill('379130000C');
    await page.getByLabel('機關憑證 PIN 碼').fill(agency.pin);
  } else {
    await page.goto(`/company/sign-in?next=${REQUESTS}`);
    await waitForHydration(page);
    await chooseCard(page, bank);
    await page.getByLabel('營利事業統一編號').fill('88880005');
    await page.getByLabel('工商憑證密碼 (PIN CODE)').fill(bank.pin);
  }
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, REQUESTS);
  return page;
}

async function signInReviewer(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`/admin/sign-in?next=${DESK}`);
  await waitForHydration(page);
  await chooseCard(page, reviewer);
  await page.getByLabel('自然人憑證 PIN 碼').fill(reviewer.pin);
  await page.getByRole('button', { name: '登入' }).click();
  await waitForPath(page, DESK);
  return page;
}

/** Fills 聯絡人, 代理人 and the date on the open form. */
async function fillPeople(page: Page, planned: string): Promise<void> {
  for (const [who, name, email] of [
    ['聯絡人', '林志明', 'lin@example.com.tw'],
    ['代理人', '陳美玲', 'chen@example.com.tw'],
  ]) {
    await page.getByLabel(`${who}姓名`).fill(name);
    await page.getByLabel(`${who}職稱`).fill('科長');
    await page.getByLabel(`${who}單位`).fill('資訊處');
    await page.getByLabel(`${who}E-mail`).fill(email);
    await page.getByLabel(`${who}電話`).fill('(02)23456789#123');
    await page.getByLabel(`${who}傳真`).fill('(02)23456780');
  }
  await page.getByLabel(/預定(開放|停用)日期/).fill(planned);
}

/** Files a 啟用 request with `certificate`; the request's number, or null when refused. */
async function requestEnabling(
  page: Page,
  system: string,
  certificate: { path: string; serial: string },
  days = 40,
): Promise<string | null> {
  await page.goto(REQUESTS);
  await page.getByRole('link', { name: '申請啟用應用系統' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('自然人憑證用戶身分確認服務系統申請表');
  await expectAccessible(page);
  await page.getByLabel('機關(構)地址').fill('臺北市中正區重慶南路一段122號');
  await page.getByLabel('應用系統中文名稱').fill(system);
  await page.getByLabel('伺服器憑證序號').fill(certificate.serial);
  await page.getByLabel('伺服器應用軟體憑證檔案').setInputFiles(certificate.path);
  await fillPeople(page, rocDate(days));
  await page.getByLabel('應用系統概述').fill('民眾以自然人憑證登入，確認其身分');
  await page.getByRole('button', { name: '送出申請' }).click();
  const filed = page.getByRole('status').getByRole('link');
  const refused = page.getByRole('alert').first();
  await expect(filed.or(refused)).toBeVisible();
  return (await filed.count()) > 0 ? filed.textContent() : null;
}

/** The reviewer answers request `number` 同意 in effect `days` from today, or (null) 不同意. */
async function answer(page: Page, number: string, days: number | null, note: string): Promise<void> {
  const approve = days !== null;
  await page.goto(DESK);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByLabel('說明')).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('說明').fill(note);
  if (approve) await page.getByLabel('生效日期').fill(rocDate(days));
  await clickConfirming(
    page,
    page.getByRole('button', { name: approve ? '同意' : '不同意', exact: true }),
    approve ? '確定同意此申請?' : '確定不同意此申請?',
  );
  await expect(page.getByRole('status')).toContainText(approve ? '同意' : '不同意');
}

/** The status of request `number` in the applicant's list. */
async function status(page: Page, number: string): Promise<string> {
  await page.goto(REQUESTS);
  const row = page.locator('table.data tr', { has: page.getByRole('link', { name: number }) });
  return (await row.locator('td').nth(6).textContent()) ?? '';
}

test('i_1 i_2 i_4 the agency system is approved, takes effect, is closed and stopped', async ({
  browser,
}) => {
  const police = await signInApplicant(browser, 'agency');
  await expectAccessible(police);
  const number = await requestEnabling(police, '線上報案系統', serverCertificate('e2e-police'));
  expect(number).toMatch(/^C\d{7}-\d{6}$/);
  expect(await status(police, number ?? '')).toBe('審核中');

  const ministry = await signInReviewer(browser);
  await expectAccessible(ministry);
  await answer(ministry, number ?? '', 0, '符合申請要點');
  expect(await status(police, number ?? '')).toBe('同意');
  // The system is the agency's, open from today.
  const systems = police.locator('table.data', { has: police.getByText('我的應用系統') });
  await expect(systems).toContainText('線上報案系統');
  await expect(systems).toContainText('服務中');

  expect(runJob()).toContain('identity confirmation requests');
  expect(await status(police, number ?? '')).toBe('已生效');
  await police.getByRole('link', { name: number ?? '' }).click();
  await expect(police.locator('.timeline')).toContainText('生效');
  await downloadPdf(police, '列印審核結果函（PDF）');

  // 停用: from the agency's systems, a month ahead.
  await police.goto(REQUESTS);
  await police.getByRole('link', { name: '申請停用' }).click();
  await expect(police.getByLabel('停用原因')).toBeVisible();
  await expectAccessible(police);
  await fillPeople(police, rocDate(45));
  await police.getByLabel('停用原因').fill('系統汰換');
  await police.getByRole('button', { name: '送出申請' }).click();
  const closing = await police.getByRole('status').getByRole('link').textContent();
  await answer(ministry, closing ?? '', 50, '同意停用');
  await police.goto(REQUESTS);
  await expect(systems).toContainText(rocDate(50));
  await expect(police.getByRole('link', { name: '申請停用' })).toHaveCount(0);

  // I-4: the ministry looks at the system's use and stops it on a ground of rule 6.
  await ministry.goto(DESK);
  await ministry.getByRole('link', { name: '線上報案系統' }).click();
  await expect(ministry.locator('.usage-chart svg')).toBeVisible();
  await expectAccessible(ministry);
  await ministry.getByLabel('說明').fill('未訂定資料安全管理規定');
  await ministry.getByLabel('停止服務之事由').selectOption({ label: '違反第五點規定' });
  const stop = ministry.getByRole('button', { name: '停止服務', exact: true });
  await expect(stop).toHaveClass(/destructive/);
  await clickConfirming(ministry, stop, '確定停止此應用系統之服務?');
  await expect(ministry.getByRole('status')).toContainText('停止服務');
  await expect(ministry.locator('.oversight')).toContainText('違反第五點規定');
  await expect(ministry.locator('.timeline')).toContainText('停止服務');
  await police.goto(REQUESTS);
  await expect(systems).toContainText('已停止服務');
  for (const page of [police, ministry]) await page.context().close();
});

test('i_1 a bank is refused a GCA certificate, files with its XCA one and may be refused', async ({
  browser,
}) => {
  const bank = await signInApplicant(browser, 'company');
  expect(await requestEnabling(bank, '網路銀行', serverCertificate('e2e-police'))).toBeNull();
  await expect(bank.getByRole('alert').first()).toContainText('請修正');
  await expect(bank.locator('#certificate-error')).toContainText('MOEACA');
  // What was typed stays on the page.
  await expect(bank.getByLabel('應用系統中文名稱')).toHaveValue('網路銀行');
  await expectAccessible(bank);

  const number = await requestEnabling(bank, '網路銀行', serverCertificate('e2e-bank'));
  expect(number).toMatch(/^C\d{7}-\d{6}$/);
  const ministry = await signInReviewer(browser);
  await answer(ministry, number ?? '', null, '應用系統概述不足，請補充後重新申請');
  expect(await status(bank, number ?? '')).toBe('不同意');
  await bank.getByRole('link', { name: number ?? '' }).click();
  await expect(bank.locator('.decision')).toHaveText('應用系統概述不足，請補充後重新申請');
  await expectAccessible(bank);
  for (const page of [bank, ministry]) await page.context().close();
});
