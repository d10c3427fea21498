import { Page } from '@playwright/test';

/** Waits until the page's islands are hydrated (the wasm entry marks <html data-hydrated>). */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}
