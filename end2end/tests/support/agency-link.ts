// Agency linking (seed 001, SPEC §2) as its parties work it in the browser: each party signs in
// with its card in its own browser context, the agency files a case with its PDF documents,
// and every party reads its desk (inbox and cases) and takes, sends back or withdraws on the
// case page. A step is named by its number in the seed (1–20); its label starts "N. ".
import { Browser, BrowserContext, expect, Locator, Page } from '@playwright/test';
import { Card, chooseCard } from './cards';
import { clickConfirming, expectAccessible, waitForHydration, waitForPath } from './portal';

export const AGENCY_DESK = '/agency-link';
export const STAFF_DESK = '/admin/agency-links';

/** Someone who works linking cases: an agency with its 機關憑證, or staff with a 自然人憑證. */
export interface Party {
  kind: 'agency' | 'staff';
  card: Card;
  /** What the parties call it, for messages. */
  name: string;
  /** 機關代號 (agencies only). */
  agencyCode?: string;
}

const agencyParty = (token: string, pin: string, name: string, agencyCode: string): Party => ({
  kind: 'agency',
  card: { reader: `Huji Soft Token (${token})`, pin, userCode: '87654321' },
  name,
  agencyCode,
});

const staffParty = (token: string, name: string): Party => ({
  kind: 'staff',
  card: { reader: `Huji Soft Token (${token})`, pin: '123456', userCode: '87654321' },
  name,
});

/** The cards of scripts/demo-cards.sh's e2e set that agency linking uses. */
export const parties = {
  /** 臺北市政府警察局 (379130000C), whose cases go to the 臺北市 unit. */
  taipeiPolice: agencyParty('e2e-agency', '52718364', '臺北市政府警察局', '379130000C'),
  /** 新北市政府警察局 (382130000C): another agency, in another county. */
  newTaipeiPolice: agencyParty('e2e-agency-ntpc', '48261537', '新北市政府警察局', '382130000C'),
  /** 陳志豪, 臺北市 戶役政單位. */
  taipeiCounty: staffParty('e2e-county', '臺北市戶役政單位'),
  /** 高文彬, 新北市 戶役政單位. */
  newTaipeiCounty: staffParty('e2e-county-ntpc', '新北市戶役政單位'),
  /** 林美玲, 內政部戶政司. */
  ministry: staffParty('e2e-reviewer', '戶政司'),
  /** 周建國, 內政部資訊服務司. */
  informationServices: staffParty('e2e-engineer', '資訊服務司'),
  /** 王建民, 中華電信. */
  cht: staffParty('e2e-cht', '中華電信'),
} as const;

export type Interface = 'egate_internet' | 'egate_vpn' | 'link_vpn' | 'api_vpn';
export type DataKind = 'household' | 'military';

/** What an agency files (seed 001 step 1); the rest of the form is filled as an agency would. */
export interface Application {
  interface: Interface;
  dataKind: DataKind;
  county: string;
  /** The agency's host address or network (L-6 checks it at step 6). */
  hostAddress: string;
  /** The data item codes (`household.name`…); at least one of the data kind. */
  items: string[];
  /** The agency's first link over the GSN VPN: the GSN VPN 申請書 is filed too. */
  firstVpn: boolean;
}

/** A household-data application of `interface` to the 臺北市 unit for `hostAddress`. */
export function application(iface: Interface, hostAddress: string, county = '臺北市'): Application {
  return {
    interface: iface,
    dataKind: 'household',
    county,
    hostAddress,
    items: ['household.national_id', 'household.name'],
    firstVpn: iface !== 'egate_internet',
  };
}

/** Where a step of a case stands, as the case page's step table marks it. */
export type StepState = 'done' | 'ready' | 'waiting' | 'skipped';

export interface InboxRow {
  caseId: string;
  agency: string;
  interface: string;
  /** The step's number. */
  step: number;
}

export interface CaseRow {
  caseId: string;
  agency: string;
  interface: string;
  status: string;
}

/**
 * A small, well-formed PDF (one empty page, a correct cross-reference table) whose only
 * text, in its Info dictionary, is `title`: a scanned form stands in for nothing more.
 */
export function pdf(title: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>',
    `<< /Title (${title.replace(/[^A-Za-z0-9 _-]/g, '')}) >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The document fields of the apply form, by the kind of document, with when each is filed. */
const DOCUMENTS: { field: string; needed: (app: Application) => boolean }[] = [
  { field: 'document_application_form', needed: () => true },
  { field: 'document_item_table', needed: () => true },
  { field: 'document_management_rules', needed: () => true },
  { field: 'document_security_agreement', needed: (app) => app.dataKind === 'household' },
  { field: 'document_gsn_vpn', needed: (app) => app.firstVpn },
];

/** Signs each of `who` in, in order, each in its own browser context. */
export async function signInAll(browser: Browser, ...who: Party[]): Promise<LinkDesk[]> {
  const desks: LinkDesk[] = [];
  for (const party of who) desks.push(await LinkDesk.signIn(browser, party));
  return desks;
}

/** One party signed in, in its own browser context, on the agency-link pages of its side. */
export class LinkDesk {
  private constructor(
    readonly page: Page,
    readonly who: Party,
    private readonly context: BrowserContext,
  ) {}

  /** Signs `who` in with its card in a fresh context; the page is then on its desk. */
  static async signIn(browser: Browser, who: Party): Promise<LinkDesk> {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (who.kind === 'agency') {
      await page.goto('/agency/sign-in');
      await waitForHydration(page);
      await chooseCard(page, who.card);
      await page.getByLabel('機關代號').fill(who.agencyCode ?? '');
      await page.getByLabel('機關憑證 PIN 碼').fill(who.card.pin);
      await page.getByRole('button', { name: '登入' }).click();
      await waitForPath(page, AGENCY_DESK);
    } else {
      await page.goto(`/admin/sign-in?next=${STAFF_DESK}`);
      await waitForHydration(page);
      await chooseCard(page, who.card);
      await page.getByLabel('自然人憑證 PIN 碼').fill(who.card.pin);
      await page.getByRole('button', { name: '登入' }).click();
      await waitForPath(page, STAFF_DESK);
    }
    return new LinkDesk(page, who, context);
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  get deskPath(): string {
    return this.who.kind === 'agency' ? AGENCY_DESK : STAFF_DESK;
  }

  casePath(id: string): string {
    return `${this.deskPath}/case?id=${encodeURIComponent(id)}`;
  }

  // ---- the desk -------------------------------------------------------------------------

  /** Opens the desk on `tab`: the steps waiting for this party, or all its cases. */
  async openDesk(tab: 'inbox' | 'all' = 'inbox'): Promise<void> {
    await this.page.goto(`${this.deskPath}?tab=${tab}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('機關連結申請 案件辦理');
  }

  /** The steps waiting in this party's inbox (L-21). */
  async inbox(): Promise<InboxRow[]> {
    await this.openDesk('inbox');
    const rows = await this.tableRows(this.page.locator('table.inbox'));
    return rows.map(([caseId, agency, iface, step]) => ({
      caseId,
      agency,
      interface: iface,
      step: stepNumber(step),
    }));
  }

  /** The steps of case `id` waiting in this party's inbox, by number. */
  async inboxSteps(id: string): Promise<number[]> {
    return (await this.inbox()).filter((row) => row.caseId === id).map((row) => row.step);
  }

  /** Every case this party is a party to, as its 全部案件 tab lists them. */
  async cases(): Promise<CaseRow[]> {
    await this.openDesk('all');
    const rows = await this.tableRows(this.page.locator('main table.data').first());
    return rows.map(([caseId, , agency, iface, , , status]) => ({
      caseId,
      agency,
      interface: iface,
      status,
    }));
  }

  private async tableRows(table: Locator): Promise<string[][]> {
    const empty = this.page.locator('.no-records');
    await expect(table.or(empty)).toBeVisible();
    if (await empty.isVisible()) return [];
    return table.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => (cell.textContent ?? '').trim())),
    );
  }

  // ---- filing (step 1) ------------------------------------------------------------------

  /** Opens the apply form from the desk, as the agency would. */
  async openApply(): Promise<void> {
    await this.page.goto(AGENCY_DESK);
    await this.page.getByRole('link', { name: '提出新申請' }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('機關連結申請');
  }

  /** Fills the apply form with `app` and the documents it needs (made here as small PDFs). */
  async fillApplication(app: Application): Promise<void> {
    const page = this.page;
    // A required field's label starts with its (hidden) asterisk; the label is matched whole.
    const field = (label: string) =>
      page.getByLabel(new RegExp(`^\\*?\\s*${label.replace(/[()（）.*+?[\]\\]/g, '\\$&')}$`));
    await field('申請介面').selectOption(app.interface);
    await field('資料類別').selectOption(app.dataKind);
    await field('受理之直轄市、縣(市)').selectOption(app.county);
    await field('主機網路位址').fill(app.hostAddress);
    await field('法律依據').fill('警察職權行使法第十九條');
    await field('使用目的').fill('查核身分');
    await field('聯絡人').fill('林志明');
    await field('聯絡電話（市話）').fill('(02)23456789#123');
    await field('電子信箱').fill('lin@police.gov.tw');
    for (const item of app.items) {
      await page.locator(`#item-${item.replace(/\./g, '-')}`).check();
    }
    if (app.dataKind === 'household') {
      await field('資通安全長姓名').fill('陳資安');
      await field('資通安全長職稱').fill('資通安全長');
      await field('審查日期').fill('115/11/10');
    }
    if (app.firstVpn) {
      await field('首次申請 GSN VPN 連線').check();
      await field('客戶名稱').fill(this.who.name);
      await field('網路技術連絡人').fill('張技術');
      await field('網路技術連絡人電話').fill('0912345678');
      await field('網路技術連絡人電子信箱').fill('tech@police.gov.tw');
      await field('網路管理連絡人').fill('王管理');
      await field('網路管理連絡人電話').fill('(02)23456789');
      await field('網路管理連絡人電子信箱').fill('admin@police.gov.tw');
    }
    for (const document of DOCUMENTS.filter((d) => d.needed(app))) {
      await page.locator(`#${document.field}`).setInputFiles({
        name: `${document.field}.pdf`,
        mimeType: 'application/pdf',
        buffer: pdf(document.field),
      });
    }
  }

  /** Files `app` (seed 001 step 1); the case number the page answers with. */
  async file(app: Application): Promise<string> {
    await this.openApply();
    await this.fillApplication(app);
    await this.page.getByRole('button', { name: '送出申請' }).click();
    const filed = this.notice('status');
    await expect(filed, await this.alerts()).toContainText('已送出申請，案件編號：');
    const id = ((await filed.getByRole('link').textContent()) ?? '').trim();
    expect(id).not.toBe('');
    return id;
  }

  // ---- one case -------------------------------------------------------------------------

  /** Opens case `id` on this party's side (by its URL, as a link from the desk would). */
  async openCase(id: string): Promise<void> {
    await this.page.goto(this.casePath(id));
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('機關連結申請案件');
  }

  /** Opens case `id` from this party's desk, by its link in `tab`. */
  async openCaseFromDesk(id: string, tab: 'inbox' | 'all' = 'inbox'): Promise<void> {
    await this.openDesk(tab);
    await this.page.getByRole('link', { name: id, exact: true }).first().click();
    await waitForPath(this.page, `${this.deskPath}/case`);
  }

  /** The states of the case's 20 steps, by step number (the open case page). */
  async stepStates(): Promise<Map<number, StepState>> {
    const rows = await this.page
      .locator('table.steps tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [row.className, (row.querySelector('td')?.textContent ?? '').trim()]),
      );
    expect(rows).toHaveLength(20);
    return new Map(rows.map(([state, label]) => [stepNumber(label), state as StepState]));
  }

  /** The steps of the open case in `state`, by number. */
  async stepsIn(state: StepState): Promise<number[]> {
    return [...(await this.stepStates())]
      .filter(([, s]) => s === state)
      .map(([step]) => step)
      .sort((a, b) => a - b);
  }

  /** The form of step `step`, which this party may take now on the open case page. */
  stepForm(step: number): Locator {
    return this.page
      .locator('form.step-form')
      .filter({ has: this.page.getByRole('heading', { name: new RegExp(`^${step}\\. `) }) });
  }

  /** The steps this party may take now on the open case page, by number. */
  async myForms(): Promise<number[]> {
    const headings = await this.page.locator('form.step-form h2').allTextContents();
    return headings.map(stepNumber);
  }

  /**
   * Takes step `step` of case `id` on its form, with its inputs: the test date of step 16
   * (ROC, e.g. 115/12/21 10:00:00), the agency certificate (PEM) of step 11, the corrected
   * host address of step 1 filed again, a note. Returns the page's answer (a status or an
   * alert); `expectDone` checks that it is done.
   */
  async takeStep(
    id: string,
    step: number,
    inputs: { testAt?: string; certificate?: string; hostAddress?: string; note?: string } = {},
    expectDone = true,
  ): Promise<string> {
    await this.openCase(id);
    const form = this.stepForm(step);
    await expect(form, `step ${step} is ${this.who.name}'s now`).toBeVisible();
    if (inputs.testAt !== undefined) await form.getByLabel('連結測試日期時間').fill(inputs.testAt);
    if (inputs.certificate !== undefined) {
      await form.getByLabel('機關憑證（公開金鑰憑證）').fill(inputs.certificate);
    }
    if (inputs.hostAddress !== undefined) await form.getByLabel('主機網路位址').fill(inputs.hostAddress);
    if (inputs.note !== undefined) await form.getByLabel('辦理說明（選填）').fill(inputs.note);
    await form.getByRole('button', { name: '完成此步驟' }).click();
    const answer = this.notice('status').or(this.notice('alert')).first();
    await expect(answer).toBeVisible();
    const told = ((await answer.textContent()) ?? '').trim();
    if (expectDone) expect(told, `step ${step}`).toContain('已完成');
    return told;
  }

  /** Sends case `id` back to the agency for `reason` (a reviewer at a review step). */
  async sendBack(id: string, reason: string): Promise<string> {
    await this.openCase(id);
    await this.page.getByLabel('退回原因').fill(reason);
    await clickConfirming(this.page, this.page.getByRole('button', { name: '退回申請機關' }), '確定退回申請機關補正?');
    const told = this.notice('status');
    await expect(told, await this.alerts()).toContainText('已退回申請機關補正');
    return ((await told.textContent()) ?? '').trim();
  }

  /** The agency cancels the live link of case `id`. */
  async cancel(id: string): Promise<void> {
    await this.openCase(id);
    await clickConfirming(this.page, this.page.getByRole('button', { name: '取消連結' }), '確定取消此連結?');
    await expect(this.notice('status'), await this.alerts()).toContainText('已取消連結');
  }

  /** The agency withdraws case `id`. */
  async withdraw(id: string): Promise<void> {
    await this.openCase(id);
    await clickConfirming(this.page, this.page.getByRole('button', { name: '撤回申請' }), '確定撤回此申請?');
    await expect(this.notice('status'), await this.alerts()).toContainText('已撤回申請');
  }

  /** The open case's 案件狀態. */
  async status(): Promise<string> {
    return ((await this.page.locator('dd.status').textContent()) ?? '').trim();
  }

  /** What the open 連結介面 case's page says of the agency's user environment (L-8). */
  async environment(): Promise<string> {
    return ((await this.page.locator('dd.environment').textContent()) ?? '').trim();
  }

  /** The addresses 資訊服務司 assigned (step 6) on the open case page, by equipment. */
  async addresses(): Promise<Map<string, string>> {
    const rows = await this.tableRows(this.page.locator('table.addresses'));
    return new Map(rows.map(([equipment, network]) => [equipment, network]));
  }

  /** The Iss key on the open case page (the agency's side, after step 14). */
  async issKey(): Promise<string> {
    const key = this.page.locator('dl.keys code.iss-key');
    await expect(key).toHaveText(/^\S{32}$/);
    return ((await key.textContent()) ?? '').trim();
  }

  /** The open case's timeline, oldest first. */
  async timeline(): Promise<string[]> {
    return (await this.page.locator('.timeline li').allTextContents()).map((entry) => entry.trim());
  }

  /** The notice a posted form's answer is shown in: what was done, or why not. */
  notice(role: 'status' | 'alert'): Locator {
    return this.page.locator(`.notice[role=${role}]`);
  }

  /** Every alert on the page, joined (for failure messages). */
  async alerts(): Promise<string> {
    return (await this.page.getByRole('alert').allTextContents()).join(' ');
  }

  async expectAccessible(): Promise<void> {
    await expectAccessible(this.page);
  }
}

/** The step number a step's label starts with ("6. 資訊服務司編訂網路位址" → 6). */
export function stepNumber(label: string): number {
  const match = /^(\d+)\.\s/.exec(label.trim());
  if (!match) throw new Error(`not a step label: ${label}`);
  return Number(match[1]);
}

/** The 密碼表 the county unit is shown once at step 8 (or on handing a reissued one over). */
export function passwordTable(told: string): { user: string; password: string } {
  const match = /使用者代號 (\S+)，密碼 (\S+)。/.exec(told);
  if (!match) throw new Error(`no password table in: ${told}`);
  return { user: match[1], password: match[2] };
}

/** Now in Taipei as a step-16 test date is written (ROC year/month/day hour:minute:second). */
export function rocNow(): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Taipei',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((part) => [part.type, part.value]),
  );
  const year = Number(parts.year) - 1911;
  return `${year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Takes steps 2 to 5 of case `id` (the review): the county unit, the agency, the ministry. */
export async function review(agency: LinkDesk, county: LinkDesk, ministry: LinkDesk, id: string) {
  await county.takeStep(id, 2);
  await county.takeStep(id, 3);
  await agency.takeStep(id, 4);
  await ministry.takeStep(id, 5);
}
