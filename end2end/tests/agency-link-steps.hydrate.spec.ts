// Agency linking in the browser (seed 001, SPEC §2, issue 18): which steps a case takes
// follows its interface (L-6, L-10, L-15 only over the GSN VPN), each step waits in the
// inbox of its party only (L-21), and another agency or another county's unit never sees the
// case.
import { expect, test } from '@playwright/test';
import { LinkDesk, signInAll, application, parties } from './support/agency-link';

test.describe.configure({ timeout: 180_000 });

test('l_21 an 電子閘門 internet case skips steps 6, 10 and 15, seen by its own parties only', async ({
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
  const everyone = [agency, county, ministry, it, cht];
  // Over the internet: no GSN VPN, so neither addresses, nor 中華電信's address and line.
  const skipped = [6, 10, 15];
  const neverListed = async () => {
    for (const desk of everyone) {
      const steps = await desk.inboxSteps(id);
      expect(steps.filter((step) => skipped.includes(step)), desk.who.name).toEqual([]);
    }
  };

  const id = await agency.file(application('egate_internet', '198.51.100.16/28'));
  await agency.expectAccessible();
  await agency.openCase(id);
  await expect(agency.page.locator('.case-card')).toContainText('各機關應用戶役政資訊電子閘門作業申請表');
  expect(await agency.stepsIn('skipped')).toEqual(skipped);
  expect(await agency.stepsIn('done')).toEqual([1]);
  expect(await agency.stepsIn('ready')).toEqual([2]);
  // L-21: step 2 waits for the 臺北市 unit, and for nobody else.
  expect(await county.inboxSteps(id)).toEqual([2]);
  for (const desk of [agency, ministry, it, cht]) expect(await desk.inboxSteps(id), desk.who.name).toEqual([]);

  // Another agency, and another county's unit, neither list the case nor open it.
  for (const stranger of [parties.newTaipeiPolice, parties.newTaipeiCounty]) {
    const desk = await LinkDesk.signIn(browser, stranger);
    expect((await desk.cases()).map((row) => row.caseId), stranger.name).not.toContain(id);
    expect((await desk.inbox()).map((row) => row.caseId), stranger.name).not.toContain(id);
    await desk.page.goto(desk.casePath(id));
    await expect(desk.page.getByRole('alert')).toContainText('查無此申請案件');
    await expect(desk.page.locator('.case-card')).toHaveCount(0);
    await desk.expectAccessible();
    await desk.close();
  }

  // The review: the send-back form is on the case page while the county unit checks the
  // documents (step 3), and the page with both forms on it is accessible.
  await county.takeStep(id, 2);
  await county.openCase(id);
  await expect(county.page.getByLabel('退回原因')).toBeVisible();
  await county.expectAccessible();
  await county.takeStep(id, 3);
  await agency.takeStep(id, 4);
  await ministry.takeStep(id, 5);
  // After the ministry's review, step 7 follows at once: 資訊服務司 has nothing to assign.
  expect(await ministry.inboxSteps(id)).toEqual([7]);
  expect(await it.inboxSteps(id)).toEqual([]);
  await neverListed();
  await ministry.takeStep(id, 7);
  const registered = await county.takeStep(id, 8);
  expect(registered).toContain('密碼表');

  // After the registration: the firewall (9) and the agency's key (11) are ready; 中華電信
  // has no step at all on this case.
  expect(await it.inboxSteps(id)).toEqual([9]);
  expect(await agency.inboxSteps(id)).toEqual([11]);
  expect(await cht.inboxSteps(id)).toEqual([]);
  await neverListed();
  await it.takeStep(id, 9);

  // The staff see the same steps skipped, and the timeline has every step taken.
  await ministry.openCase(id);
  const states = await ministry.stepStates();
  for (const step of skipped) expect(states.get(step), `step ${step}`).toBe('skipped');
  expect(await ministry.stepsIn('done')).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
  expect(await ministry.stepsIn('ready')).toEqual([11]);
  const history = (await ministry.timeline()).join('\n');
  expect(history).toContain('9. 資訊服務司設定防火牆');
  for (const label of ['6. 資訊服務司編訂網路位址', '10. 中華電信設定IP及Port', '15. 中華電信電路施工及連線測試']) {
    expect(history).not.toContain(label);
  }
  await neverListed();
  for (const desk of everyone) await desk.close();
});
