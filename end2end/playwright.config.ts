import { defineConfig } from '@playwright/test';

// Debian's chromium; Playwright's own browser download cannot work on these machines.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: './tests',
  globalSetup: './support/global-setup.ts',
  fullyParallel: false,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    // Set by global setup: the shared demo newsroom on a free port.
    baseURL: process.env.E2E_BASE_URL,
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'js-on',
      use: { javaScriptEnabled: true },
    },
    {
      name: 'js-off',
      use: { javaScriptEnabled: false },
      // Live push and in-place updates need JavaScript by definition.
      testIgnore: /\.js-only\.spec\.ts$/,
    },
  ],
});
