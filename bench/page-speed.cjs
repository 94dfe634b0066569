// Loads the key pages in Chromium as a phone on a slow network would (issue 23 item 4) and
// prints, per page and profile, the Largest Contentful Paint and the time until the page is
// interactive: until its islands are hydrated and its fields check themselves
// (`<body data-hydrated>`, set at once on a page without islands). Each load starts with an
// empty cache, through the Chrome DevTools Protocol's network and CPU throttling.
// Usage: bench/page-speed.sh (starts a release portal and runs this with BASE_URL set).
const { chromium } = require('playwright-core');

const BASE_URL = process.env.BASE_URL;
const RUNS = Number(process.env.RUNS ?? 3);
const PAGES = ['/', '/id-card/loss/report', '/api-service', '/company/sign-in', '/certificate/status'];
// Bytes per second and round-trip time. "Slow 3G" is Chrome DevTools' preset; "mobile" is
// Lighthouse's mobile throttling (its "slow 4G"), the profile LCP targets are usually set on.
const PROFILES = [
  { name: 'slow 3G (400 kbit/s, 2,000 ms RTT)', down: (500 * 1000 / 8) * 0.8, up: (500 * 1000 / 8) * 0.8, latency: 2000 },
  { name: 'mobile (1.6 Mbit/s, 150 ms RTT)', down: 1638.4 * 1000 / 8, up: 750 * 1000 / 8, latency: 150 },
];
const CPU_SLOWDOWN = 4;

async function load(browser, path, profile) {
  const context = await browser.newContext({ locale: 'zh-TW' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__lcp = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__lcp = entry.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    downloadThroughput: profile.down,
    uploadThroughput: profile.up,
    latency: profile.latency,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const started = Date.now();
  await page.goto(BASE_URL + path, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 120_000 });
  const interactive = Date.now() - started;
  // performance.timeOrigin is when navigation started: LCP is measured from there.
  const lcp = await page.evaluate(() => window.__lcp);
  await context.close();
  return { lcp, interactive };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HUJI_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  console.log(`CPU ${CPU_SLOWDOWN}x slower, ${RUNS} loads each, empty cache; median (slowest) in ms`);
  for (const profile of PROFILES) {
    console.log(`\n${profile.name}`);
    console.log(`${'page'.padEnd(24)} ${'LCP'.padStart(16)} ${'interactive'.padStart(16)}`);
    for (const path of PAGES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await load(browser, path, profile));
      const lcps = runs.map((run) => run.lcp);
      const ready = runs.map((run) => run.interactive);
      const cell = (values) => `${Math.round(median(values))} (${Math.round(Math.max(...values))})`.padStart(16);
      console.log(`${path.padEnd(24)} ${cell(lcps)} ${cell(ready)}`);
    }
  }
  await browser.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
