// Every agency-linking page passes the accessibility check (WCAG 2.1 AA by axe): both tabs of
// each side's desk, the apply form (empty and with the server's field errors), and a case
// page as the agency and as staff see it, with a step form on it.
import { expect, test } from '@playwright/test';
import { LinkDesk, application, parties } from './support/agency-link';

test.describe.configure({ timeout: 120_000 });

test('l_21 the desks, the apply form and the case pages are accessible', async ({ browser }) => {
  const agency = await LinkDesk.signIn(browser, parties.taipeiPolice);
  await agency.openApply();
  await agency.expectAccessible();
  // Sent without documents: each field says what is wrong, and the page stays accessible.
  await agency.page.getByRole('button', { name: '送出申請' }).click();
  await expect(agency.notice('alert')).toContainText('請修正下列標示的欄位');
  await expect(agency.page.locator('#document_application_form-error')).not.toBeEmpty();
  await agency.expectAccessible();

  const id = await agency.file(application('api_vpn', '198.51.100.96/28'));
  await agency.expectAccessible();
  for (const tab of ['inbox', 'all'] as const) {
    await agency.openDesk(tab);
    await agency.expectAccessible();
  }
  await agency.openCase(id);
  await agency.expectAccessible();

  const county = await LinkDesk.signIn(browser, parties.taipeiCounty);
  for (const tab of ['inbox', 'all'] as const) {
    await county.openDesk(tab);
    await county.expectAccessible();
  }
  await county.openCaseFromDesk(id);
  await expect(county.stepForm(2)).toBeVisible();
  await county.expectAccessible();
  await county.takeStep(id, 2);
  await county.expectAccessible();
  // The send-back form is on the page while the county unit reviews (step 3).
  await expect(county.page.getByLabel('退回原因')).toBeVisible();
  for (const desk of [agency, county]) await desk.close();
});
