// Issue 24, the design system itself: the /design page that shows every component, the
// portal's own bold face, the home page as the service-start page, one link colour, and the
// step indicator of the flows of several pages.
import { expect, test } from '@playwright/test';
import { expectAccessible, waitForHydration } from './support/portal';

test('issue 24 /design shows every component of the design system', async ({ page }) => {
  const response = await page.goto('/design');
  expect(response?.status()).toBe(200);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: '設計系統' })).toBeVisible();
  for (const section of ['字體', '色彩', '按鈕', '欄位與錯誤摘要', '通知', '步驟指示', '表格', '摘要清單', '案件歷程', '頁首']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
  // The four looks, each its own colour; the start link is a button of its own.
  const colour = (name: string) =>
    page.getByRole('button', { name, exact: true }).evaluate((el) => getComputedStyle(el).backgroundColor);
  const looks = new Set([await colour('核准'), await colour('通知補正資料'), await colour('駁回'), await colour('次要動作')]);
  expect(looks.size).toBe(4);
  await expect(page.getByRole('link', { name: '開始申請' })).toHaveClass(/start/);
  // The error summary links the refused field, which says it again.
  await expect(page.locator('.error-summary a')).toHaveAttribute('href', '#design-id');
  await expect(page.locator('#design-id')).toHaveAttribute('aria-invalid', 'true');
  // Notices of each kind, the empty table's row, the current step.
  await expect(page.locator('.notice.done, .notice.warning, .notice.error')).toHaveCount(3);
  await expect(page.locator('tr.none')).toHaveText('查無資料');
  await expect(page.locator('ol.step-indicator [aria-current="step"]')).toHaveText('確認送出');
  await expectAccessible(page);
});

test('issue 24 headings and labels are set in the portal\'s own real bold', async ({ page, request }) => {
  await page.goto('/');
  const heading = page.getByRole('heading', { level: 1 });
  const style = await heading.evaluate((el) => {
    const computed = getComputedStyle(el);
    return { family: computed.fontFamily, weight: computed.fontWeight };
  });
  expect(style.family).toMatch(/^"Huji Sans TC Bold"/);
  expect(style.weight).toBe('700');
  // The face the stylesheet names is served, cached for a year, and is a font the browser
  // loads under the page's Content-Security-Policy.
  const url = await page.evaluate(async () => {
    const css = await (await fetch((document.querySelector('link[rel="stylesheet"]') as HTMLLinkElement).href)).text();
    return /url\("?(\/fonts\/huji-sans-tc-bold-[0-9a-f]+\.woff2)"?\)/.exec(css)?.[1] ?? '';
  });
  expect(url).not.toBe('');
  const font = await request.get(url);
  expect(font.status()).toBe(200);
  expect(font.headers()['content-type']).toBe('font/woff2');
  expect(font.headers()['cache-control']).toContain('immutable');
  const loaded = await page.evaluate(async (src) => {
    const face = new FontFace('Served Bold', `url(${src})`, { weight: '700' });
    await face.load();
    document.fonts.add(face);
    return document.fonts.check('700 16px "Served Bold"', '網路申辦服務');
  }, url);
  expect(loaded).toBe(true);
});

test('issue 24 15 the home page starts each service from a card, and links are one colour', async ({ page }) => {
  await page.goto('/');
  const groups = page.getByRole('navigation', { name: '網路申辦服務' }).locator('section.service-group');
  await expect(groups).toHaveCount(4);
  for (const name of ['國民身分證', '自然人憑證', '機關連結申請', '身分確認服務']) {
    const group = groups.filter({ has: page.getByRole('heading', { level: 2, name, exact: true }) });
    await expect(group).toHaveCount(1);
    await expect(group.locator('.hint')).not.toBeEmpty();
    expect(await group.getByRole('link').count()).toBeGreaterThan(0);
  }
  const colours = await page.locator('main a').evaluateAll((links) => [
    ...new Set(links.map((link) => getComputedStyle(link).color)),
  ]);
  expect(colours).toEqual(['rgb(31, 78, 121)']);
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);
});

test('issue 24 a start page leads into its service with one start button', async ({ page }) => {
  await page.goto('/api-service');
  const start = page.getByRole('link', { name: '開始申請' });
  await expect(start).toHaveClass(/button start/);
  await expect(start).toHaveAttribute('href', '/api-service/apply');
  await page.goto('/agency-link/procedure');
  await expect(page.getByRole('link', { name: '開始申請' })).toHaveAttribute('href', '/agency-link/apply');
  await expectAccessible(page);
});

test('issue 24 the certificate application shows where the applicant is', async ({ page }) => {
  await page.goto('/certificate/apply');
  const steps = page.getByRole('list', { name: '申辦步驟' });
  await expect(steps.getByRole('listitem')).toHaveText(['線上填寫申請資料', '列印申請摘要', '臨櫃領取憑證 IC 卡']);
  await expect(steps.locator('[aria-current="step"]')).toHaveText('線上填寫申請資料');
  await page.goto('/id-card/loss/report');
  await expect(page.getByRole('list', { name: '申辦步驟' }).locator('[aria-current="step"]')).toHaveText('填寫掛失資料');
  await expectAccessible(page);
});
