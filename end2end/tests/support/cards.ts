// The software cards scripts/test.sh makes for the end-to-end tests (scripts/demo-cards.sh e2e):
// their readers in the card helper, PINs and user codes.
import { APIRequestContext, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

export const helperURL = process.env.HUJI_CARD_HELPER_URL ?? 'http://127.0.0.1:24170';
export const baseURL = process.env.HUJI_BASE_URL ?? 'http://127.0.0.1:3000';

export interface Card {
  reader: string;
  pin: string;
  userCode: string;
}

const card = (token: string, pin: string): Card => ({
  reader: `Huji Soft Token (${token})`,
  pin,
  userCode: '87654321',
});

/** 蝦蝦樂購股份有限公司 (24941832), 工商憑證. */
export const company = card('e2e-company', '73019485');
/** Another 工商憑證 of the same company, for the wrong-PIN and blocked-card tests. */
export const spareCompany = card('e2e-company-spare', '61827354');
/** 臺北市政府警察局 (379130000C), 機關憑證 (GCA). */
export const agency = card('e2e-agency', '52718364');
/** 林美玲, 內政部戶政司審核人員, nationwide. */
export const reviewer = card('e2e-reviewer', '123456');
/** 李小華, 戶政事務所承辦人員 at 臺北市大安區戶政事務所. */
export const clerk = card('e2e-clerk', '123456');

/** 王小明's own 自然人憑證 (default PIN: his ROC birth date). */
export const wangCard = card('e2e-wang', '730101');

/** 林美玲's 自然人憑證 with her default PIN, whose PIN the C-3 tests change, lock and unlock. */
export const pinCard = card('e2e-pin', '790715');

/** 陳建志, 戶政事務所登記主管 at 新北市板橋區戶政事務所: issues citizen cards at the counter. */
export const registrar = card('e2e-registrar', '123456');

/** 林美玲's own 自然人憑證 (card TP03000000054321), expiring in 30 days: inside the 展期 window. */
export const extendCard = card('e2e-extend', '790715');

/** 周淑芬's extended 自然人憑證 (card TP03000000054322), 20 days before its 8-year end: 線上續卡. */
export const renewCard = card('e2e-renew', '541108');

/** A blank card (made afresh on every run) for the renewal the registrar fulfils and mails. */
export const renewalBlankCard = card('e2e-blank-renewal', '000000');

/** A blank 自然人憑證 card (made afresh on every run), personalised by counter issuance. */
export const blankCard = card('e2e-blank', '000000');

/** The number printed on a blank card, which its chip attests (scripts/demo-cards.sh writes it
 * beside the card's token, in the directory scripts/test.sh names in HUJI_E2E_CARDS). */
export function printedNumber(blank: Card): string {
  const token = blank.reader.replace(/^Huji Soft Token \((.*)\)$/, '$1');
  const cards = process.env.HUJI_E2E_CARDS;
  if (!cards) throw new Error('HUJI_E2E_CARDS is not set: run the tests through scripts/test.sh');
  return readFileSync(`${cards}/${token}.number`, 'utf8').trim();
}

/** The virtual card in pcscd's vpcd reader (Virtual PCD 00 00), read by the PC/SC helper. */
export const pcscCompany = { pin: '73019485' };

/** 鎖卡解碼 through the helper, as the card's holder would: resets the PIN and its counter. */
export async function unlock(request: APIRequestContext, target: Card): Promise<void> {
  const response = await request.post(`${helperURL}/v1/pin/unlock`, {
    headers: { Origin: baseURL },
    data: { user_code: target.userCode, new_pin: target.pin, reader: target.reader },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Waits for the sign-in form to find the helper and chooses `target`'s reader. */
export async function chooseCard(page: Page, target: Card): Promise<void> {
  const readers = page.getByLabel('讀卡機');
  await expect(readers).toBeVisible();
  await readers.selectOption(target.reader);
  await expect(page.locator('.card-holder')).toBeVisible();
}
