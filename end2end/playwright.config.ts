// Playwright drives Debian's Chromium (no browser download) against a real Huji server that
// scripts/test.sh starts on a fresh SQLite database and passes in as HUJI_BASE_URL.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.HUJI_BASE_URL ?? 'http://127.0.0.1:3000';
const pcscBaseURL = process.env.HUJI_PCSC_BASE_URL;

const chromium = {
  executablePath: process.env.HUJI_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never' }]],
  // An answer the server works out (a step, a signed card, a posted form) on a busy 2-core
  // runner can take longer than the default 5 s; speed is measured by bench/, not here.
  expect: { timeout: 15_000 },
  outputDir: 'test-results',
  use: {
    baseURL,
    locale: 'zh-TW',
    timezoneId: 'Asia/Taipei',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: chromium,
  },
  projects: [
    // Every spec runs hydrated; specs that need WebAssembly are named *.hydrate.spec.ts and
    // skip the JavaScript-off project.
    { name: 'hydrated', use: { javaScriptEnabled: true }, testIgnore: /\.pcsc\.spec\.ts$/ },
    { name: 'no-js', use: { javaScriptEnabled: false }, testIgnore: /\.(hydrate|pcsc)\.spec\.ts$/ },
    // *.pcsc.spec.ts: the portal whose card helper reads the virtual card through pcscd
    // (scripts/test.sh starts both and passes them in).
    ...(pcscBaseURL
      ? [{ name: 'pcsc', use: { javaScriptEnabled: true, baseURL: pcscBaseURL }, testMatch: /\.pcsc\.spec\.ts$/ }]
      : []),
  ],
});
