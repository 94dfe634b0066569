// A Web Service API case through all 20 steps (seed 001, SPEC §2, L-1…L-21), the five
// parties each in their own browser with their own card: filing, the review, the addresses,
// the 密碼表, the key exchange and the Iss key, the line, the scheduled test taken by the
// agency's own signed call from its assigned address, go-live confirmed by both sides, a
// person query that answers the approved items only, and the link cancelled. Every kind of
// agency-linking page is checked with axe on the way.
import { expect, test } from '@playwright/test';
import { callLink, LinkCredentials, linkCertificate } from './support/agency-api';
import { signInAll, application, parties, passwordTable, review, rocNow } from './support/agency-link';
import { expectErrorSummary } from './support/portal';

test.describe.configure({ timeout: 300_000 });

test('l_1_to_l_20 an API case goes live, its signed test call takes step 18 and queries answer the approved items', async ({
  browser,
}) => {
  const [agency, county, ministry, it, cht] = await signInAll(
    browser,
    parties.taipeiPolice,
    parties.taipeiCounty,
    parties.ministry,
    parties.informationServices,
    parties.cht,
  );

  // Step 1. The apply form, empty and sent without documents: each field says what is wrong.
  await agency.openApply();
  await agency.expectAccessible();
  await agency.page.getByRole('button', { name: '送出申請' }).click();
  await expectErrorSummary(agency.page);
  await expect(agency.page.locator('#document_application_form-error')).not.toBeEmpty();
  await agency.expectAccessible();
  // Two items of the registry's household data; the query will answer these and no others.
  const filed = application('api_vpn', '198.51.100.96/28');
  const id = await agency.file(filed);
  await agency.expectAccessible();

  // Every desk and tab, and the case page from each side, with a step form on it.
  for (const desk of [agency, county]) {
    for (const tab of ['inbox', 'all'] as const) {
      await desk.openDesk(tab);
      await desk.expectAccessible();
    }
  }
  await county.openCaseFromDesk(id);
  await expect(county.stepForm(2)).toBeVisible();
  await county.expectAccessible();
  await agency.openCase(id);
  await agency.expectAccessible();

  // Steps 2–5: the county unit, with the agency alongside at step 4, then 戶政司.
  await review(agency, county, ministry, id);

  // Step 6: 資訊服務司 assigns the three addresses; the API Gateway's is the one it calls from.
  expect(await it.inboxSteps(id)).toEqual([6]);
  await it.takeStep(id, 6);
  const addresses = await it.addresses();
  expect([...addresses.keys()]).toEqual(['通訊設備', '安全閘道器', 'API Gateway 伺服器']);
  const assigned = addresses.get('API Gateway 伺服器') ?? '';
  expect(assigned).toMatch(/^127\.\d+\.\d+\.\d+\/32$/);
  const gateway = assigned.split('/')[0];
  await it.expectAccessible();

  // Steps 7 and 8: the reply with the 密碼表, shown once to the county unit to hand over.
  await ministry.takeStep(id, 7);
  const table = passwordTable(await county.takeStep(id, 8));
  expect(table.user).toMatch(/^379130000C-/);

  // After the registration three branches run side by side: the firewall (9), 中華電信's
  // address and port then the line (10, 15), and the key exchange (11–14).
  expect(await it.inboxSteps(id)).toEqual([9]);
  expect(await cht.inboxSteps(id)).toEqual([10]);
  expect(await agency.inboxSteps(id)).toEqual([11]);
  await cht.takeStep(id, 10);
  await agency.takeStep(id, 11, { certificate: linkCertificate() });
  await county.takeStep(id, 12);
  await ministry.takeStep(id, 13);
  const issued = await it.takeStep(id, 14);
  expect(issued).toContain('Iss key：');
  await cht.takeStep(id, 15);
  // Step 16 waits for the firewall too (a join).
  expect(await county.inboxSteps(id)).toEqual([]);
  await it.takeStep(id, 9);
  expect(await county.inboxSteps(id)).toEqual([16]);

  // The agency reads its Iss key on its case page; the county unit is only told it exists.
  await agency.openCase(id);
  const credentials: LinkCredentials = { ...table, issKey: await agency.issKey() };
  await agency.expectAccessible();
  await county.openCase(id);
  await expect(county.page.locator('dl.keys')).toContainText('已產製');
  await expect(county.page.locator('dl.keys code.iss-key')).toHaveCount(0);

  // Steps 16 and 17: the test is today, and 資訊服務司 stands by.
  await county.takeStep(id, 16, { testAt: rocNow() });
  await it.takeStep(id, 17);

  // Step 18 is the agency's own call, not a form. From an address that is not the gateway's
  // it is refused, and the case's timeline says why the test failed.
  await agency.openCase(id);
  expect(await agency.myForms()).toEqual([]);
  const elsewhere = await callLink(credentials, 'connection_test', '127.0.0.1');
  expect(elsewhere).toMatchObject({ status: 403, code: 'HJL4030' });
  await agency.openCase(id);
  await expect(agency.page.locator('.timeline')).toContainText('連結測試未通過');
  expect(await agency.stepsIn('ready')).toEqual([18]);
  // Signed, from the assigned address, with the 密碼表: the test passes and takes step 18.
  const tested = await callLink(credentials, 'connection_test', gateway);
  expect(tested).toMatchObject({ status: 200, code: 'HJL2000' });
  await agency.openCase(id);
  await expect(agency.page.locator('.timeline')).toContainText('18. 申請機關進行連結測試');
  // Before go-live a person query is refused.
  const early = await callLink(credentials, 'person_query', gateway, { personId: 'A123456789' });
  expect(early).toMatchObject({ status: 409, code: 'HJL4091' });

  // Steps 19 and 20: both sides confirm, and the link is live.
  expect(await agency.inboxSteps(id)).toEqual([19]);
  expect(await county.inboxSteps(id)).toEqual([20]);
  await agency.takeStep(id, 19);
  const live = await county.takeStep(id, 20);
  expect(live).toContain('開始實際連結');
  await agency.openCase(id);
  expect(await agency.status()).toBe('已連結');
  expect(await agency.stepsIn('done')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  const history = (await agency.timeline()).join('\n');
  for (const label of ['1. ', '6. 資訊服務司編訂網路位址', '14. 資訊服務司產製Iss key', '20. 戶役政單位確認實際連結']) {
    expect(history).toContain(label);
  }
  for (const desk of [agency, county, ministry, it, cht]) {
    expect(await desk.inboxSteps(id), desk.who.name).toEqual([]);
  }

  // A person query answers exactly the approved items (L-20), and nothing else of 王小明.
  const answer = await callLink(credentials, 'person_query', gateway, { personId: 'A123456789' });
  expect(answer).toMatchObject({ status: 200, code: 'HJL2001' });
  expect(answer.data).toEqual({ 'household.national_id': 'A123456789', 'household.name': '王小明' });
  // A wrong password is refused.
  const wrong = await callLink({ ...credentials, password: 'not-the-password' }, 'person_query', gateway, {
    personId: 'A123456789',
  });
  expect(wrong).toMatchObject({ status: 401, code: 'HJL4011' });

  // The agency cancels the link: its addresses are released and the next call is refused.
  await agency.cancel(id);
  expect(await agency.status()).toBe('已取消');
  const after = await callLink(credentials, 'person_query', gateway, { personId: 'A123456789' });
  expect(after.status).toBe(403);
  for (const desk of [agency, county, ministry, it, cht]) await desk.close();
});
