import { Browser, BrowserContext, Page, expect } from '@playwright/test';
import { Newsroom } from './newsroom';

export const PASSWORD = 'correct horse battery staple';

/** Creates a staff account on an instance through the real CLI. */
export function createStaff(nr: Newsroom, email: string, name: string, role: string): void {
  nr.cli(['create-editor', '--email', email, '--name', name, '--role', role], undefined, {
    NEWSROOM_PASSWORD: PASSWORD,
  });
}

/** Signs in through the sign-in page and returns the page, now on the editor. */
export async function signIn(
  browser: Browser,
  nr: Newsroom,
  email: string,
  javaScriptEnabled: boolean,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Articles' })).toBeVisible();
  return { context, page };
}
