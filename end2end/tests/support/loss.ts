// The ID card loss forms (seed 004): filling them as a citizen would, and reading the CAPTCHA
// as a person reads its picture — from the portal's database (HUJI_E2E_DB), since the answer
// is nowhere in the page.
import { expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

export interface Citizen {
  nationalId: string;
  name: string;
  birthDate: string;
  address: string;
  phone: string;
  email: string;
  parentName: string;
}

/** 王小明, registered at 臺北市大安區戶政事務所, typed the way people type. */
export const wang: Citizen = {
  nationalId: 'A123456789',
  name: '王小明',
  birthDate: '73/01/01',
  address: '台北市大安區新生南路2段86巷7號3F',
  phone: '0912345678',
  email: 'wang@example.com',
  parentName: '李美華',
};

/** 林美玲, registered in 新北市板橋區. */
export const lin: Citizen = {
  nationalId: 'F228135791',
  name: '林美玲',
  birthDate: '79/07/15',
  address: '新北市板橋區文化里12鄰文化路一段188巷20號5樓',
  phone: '(02)29603456',
  email: 'lin@example.com',
  parentName: '林志成',
};

/** 張家豪, registered in 高雄市苓雅區; his card is the one the verification API story uses. */
export const zhang: Citizen = {
  nationalId: 'E109273648',
  name: '張家豪',
  birthDate: '98/06/01',
  address: '高雄市苓雅區林德里3鄰四維三路6號12樓',
  phone: '0933123456',
  email: 'zhang@example.com',
  parentName: '吳佩君',
};

function sql(query: string): string {
  const db = process.env.HUJI_E2E_DB;
  if (!db) throw new Error('HUJI_E2E_DB is not set: scripts/test.sh sets it to the portal database');
  return execFileSync('sqlite3', [db, query]).toString().trim();
}

/** Reads the CAPTCHA on the page and types its answer. */
export async function solveCaptcha(page: Page): Promise<void> {
  const id = await page.locator('input[name="captcha_id"]').getAttribute('value');
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  await expect(page.locator('img[src^="/captcha/"]')).toBeVisible();
  await page.getByLabel('圖形驗證碼').fill(sql(`SELECT answer FROM captchas WHERE id = '${id}'`));
}

/** Fills the form of the page (掛失, 查詢 or 撤銷掛失) for `who`. */
export async function fillLossForm(page: Page, who: Citizen, password?: string): Promise<void> {
  await fillLossAnswers(page, who);
  if (password !== undefined) await page.getByLabel('撤銷掛失預設密碼').fill(password);
  await solveCaptcha(page);
}

/** The questions only the registry and the holder can answer, as typed online or by staff
 * taking the report by telephone. */
export async function fillLossAnswers(page: Page, who: Citizen): Promise<void> {
  await page.getByLabel('國民身分證統一編號').fill(who.nationalId);
  await page.getByRole('textbox', { name: '姓名', exact: true }).fill(who.name);
  await page.getByLabel('出生年月日').fill(who.birthDate);
  await page.getByLabel('戶籍地址').fill(who.address);
  await page.getByLabel('聯絡電話').fill(who.phone);
  await page.getByLabel('常用電子信箱').fill(who.email);
  await page.getByLabel('(養)父或(養)母姓名').fill(who.parentName);
}
