// An agency sees only its own cases, and a county unit only its county's (SPEC §2, L-21):
// another agency's desk does not list the case, and opening its URL is refused.
import { expect, test } from '@playwright/test';
import { LinkDesk, application, parties } from './support/agency-link';

test.describe.configure({ timeout: 120_000 });

test('l_21 another agency and another county unit never see the case', async ({ browser }) => {
  const agency = await LinkDesk.signIn(browser, parties.taipeiPolice);
  const id = await agency.file(application('egate_internet', '198.51.100.80/28'));
  expect((await agency.cases()).map((row) => row.caseId)).toContain(id);

  const other = await LinkDesk.signIn(browser, parties.newTaipeiPolice);
  expect((await other.cases()).map((row) => row.caseId)).not.toContain(id);
  expect((await other.inbox()).map((row) => row.caseId)).not.toContain(id);
  await other.page.goto(other.casePath(id));
  await expect(other.page.getByRole('alert')).toContainText('查無此申請案件');
  await expect(other.page.locator('.case-card')).toHaveCount(0);

  const elsewhere = await LinkDesk.signIn(browser, parties.newTaipeiCounty);
  expect((await elsewhere.cases()).map((row) => row.caseId)).not.toContain(id);
  expect((await elsewhere.inbox()).map((row) => row.caseId)).not.toContain(id);
  await elsewhere.page.goto(elsewhere.casePath(id));
  await expect(elsewhere.page.getByRole('alert')).toContainText('查無此申請案件');
  await expect(elsewhere.page.locator('.case-card')).toHaveCount(0);

  // The agency's own desk shows it still, and the 臺北市 unit has it waiting.
  const county = await LinkDesk.signIn(browser, parties.taipeiCounty);
  expect(await county.inboxSteps(id)).toEqual([2]);
  for (const desk of [agency, other, elsewhere, county]) await desk.close();
});
