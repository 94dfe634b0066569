// An address conflict at step 6 (seed 001 step 6, SPEC L-6): 資訊服務司 cannot assign
// addresses for a host inside the registry network's own range, the page names the conflict,
// the case goes back to the agency, and filed again with another host address it goes on.
import { expect, test } from '@playwright/test';
import { signInAll, application, parties, review } from './support/agency-link';

test.describe.configure({ timeout: 180_000 });

test('l_6 a host in the registry network is refused at step 6, sent back and filed again', async ({
  browser,
}) => {
  const [agency, county, ministry, it] = await signInAll(
    browser,
    parties.taipeiPolice,
    parties.taipeiCounty,
    parties.ministry,
    parties.informationServices,
  );

  // 10.200.0.0/16 is the 戶役政資訊網路's own range (HUJI_LINK_REGISTRY_RANGES' default).
  const id = await agency.file(application('link_vpn', '10.200.9.0/29'));
  await review(agency, county, ministry, id);
  expect(await it.inboxSteps(id)).toEqual([6]);
  const refused = await it.takeStep(id, 6, {}, false);
  expect(refused).toContain('10.200.9.0/29');
  expect(refused).toContain('10.200.0.0/16');
  expect(refused).toContain('請申請機關更換主機網路位址');
  // Nothing was assigned: step 6 is still 資訊服務司's.
  expect(await it.stepsIn('ready')).toEqual([6]);
  await expect(it.page.locator('table.addresses')).toHaveCount(0);

  await it.sendBack(id, '主機網路位址與戶役政資訊網路衝突，請更換');
  await expect(it.page.locator('.timeline')).toContainText('主機網路位址與戶役政資訊網路衝突，請更換');
  expect(await it.inboxSteps(id)).toEqual([]);
  // The agency finds step 1 in its inbox again, with the reason on the case page.
  expect(await agency.inboxSteps(id)).toEqual([1]);
  await agency.openCaseFromDesk(id);
  await expect(agency.page.locator('.timeline')).toContainText('請更換');
  expect(await agency.stepsIn('ready')).toEqual([1]);
  expect(await agency.stepsIn('done')).toEqual([]);
  // A bad address is refused and nothing changes.
  const bad = await agency.takeStep(id, 1, { hostAddress: '10.1.2.3/8' }, false);
  expect(bad).not.toContain('已完成');
  expect(await agency.stepsIn('ready')).toEqual([1]);

  await agency.takeStep(id, 1, { hostAddress: '198.51.100.32/28' });
  await expect(agency.page.locator('.case-card')).toContainText('198.51.100.32/28');
  await review(agency, county, ministry, id);
  await it.takeStep(id, 6);
  const assigned = it.page.locator('table.addresses tbody tr');
  await expect(assigned).toHaveCount(3);
  await expect(it.page.locator('table.addresses')).toContainText('連結介面伺服器');
  expect(await ministry.inboxSteps(id)).toEqual([7]);
  for (const desk of [agency, county, ministry, it]) await desk.close();
});
