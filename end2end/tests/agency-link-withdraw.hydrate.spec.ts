// The agency withdraws its application before go-live (seed 001, SPEC §2): the case is
// 已撤回 and leaves every inbox; a withdrawn 連結介面 case that was the agency's only
// application removes the user environment its registration made (seed 001 step 8, L-8).
import { expect, test } from '@playwright/test';
import { LinkDesk, signInAll, application, parties, review } from './support/agency-link';

test.describe.configure({ timeout: 180_000 });

test('l_21 a case the agency withdraws is 已撤回 and leaves every inbox', async ({ browser }) => {
  const agency = await LinkDesk.signIn(browser, parties.taipeiPolice);
  const county = await LinkDesk.signIn(browser, parties.taipeiCounty);
  const id = await agency.file(application('egate_vpn', '198.51.100.48/28'));
  await county.takeStep(id, 2);
  // 3 ∥ 4: the county unit and the agency each have a step waiting.
  expect(await county.inboxSteps(id)).toEqual([3]);
  expect(await agency.inboxSteps(id)).toEqual([4]);
  // Only the agency may withdraw.
  await county.openCase(id);
  await expect(county.page.getByRole('button', { name: '撤回申請' })).toHaveCount(0);

  await agency.withdraw(id);
  expect(await agency.status()).toBe('已撤回');
  expect(await agency.myForms()).toEqual([]);
  await expect(agency.page.getByRole('button', { name: '撤回申請' })).toHaveCount(0);
  await expect(agency.page.locator('.timeline')).toContainText('撤回申請');
  expect(await agency.inboxSteps(id)).toEqual([]);
  expect(await county.inboxSteps(id)).toEqual([]);
  // Still on both desks' case lists, as withdrawn.
  expect((await agency.cases()).find((row) => row.caseId === id)?.status).toBe('已撤回');
  expect((await county.cases()).find((row) => row.caseId === id)?.status).toBe('已撤回');
  await county.openCase(id);
  expect(await county.myForms()).toEqual([]);
  expect(await county.stepsIn('ready')).toEqual([]);
  for (const desk of [agency, county]) await desk.close();
});

test('l_8 a 連結介面 case makes the user environment at step 8 and withdrawn removes it', async ({
  browser,
}) => {
  // 新北市政府警察局 files nothing else in these tests: this is its only application.
  const [agency, county, ministry, it] = await signInAll(
    browser,
    parties.newTaipeiPolice,
    parties.newTaipeiCounty,
    parties.ministry,
    parties.informationServices,
  );
  const id = await agency.file(application('link_vpn', '198.51.100.64/28', '新北市'));
  await county.openCase(id);
  expect(await county.environment()).toMatch(/^無/);
  await review(agency, county, ministry, id);
  await it.takeStep(id, 6);
  await ministry.takeStep(id, 7);
  const registered = await county.takeStep(id, 8);
  expect(registered).toMatch(/密碼表.*使用者代號 \S+，密碼 \S+。/);
  // The county unit sees the environment its registration made.
  await county.openCase(id);
  expect(await county.environment()).toMatch(
    new RegExp(`^已建立於 \\d{3}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}（案件 ${id} 資料登錄）$`),
  );
  await expect(county.page.locator('.timeline')).toContainText('8. 戶役政單位資料登錄');
  // The 密碼表 was shown once: it is not on the page again.
  await expect(county.page.locator('body')).not.toContainText('使用者代號');

  await agency.withdraw(id);
  expect(await agency.status()).toBe('已撤回');
  await county.openCase(id);
  expect(await county.environment()).toMatch(/^無/);
  await expect(county.page.locator('table.addresses')).toHaveCount(0);
  for (const desk of [agency, county, ministry, it]) {
    expect(await desk.inboxSteps(id), desk.who.name).toEqual([]);
  }
  for (const desk of [agency, county, ministry, it]) await desk.close();
});
