// Readers of the comments: sign-in through the emailed link, as a person would do it.
import { Browser, BrowserContext, Locator, Page, expect } from '@playwright/test';
import { hydrated } from './hydrated';
import { Newsroom } from './newsroom';
import { SmtpSink, linkFrom } from './smtp';

/** The demo story with the most demo comments. */
export const FERRY = '/news/keeling-island-ferry-returns-to-full-timetable-after-six-week-engine-refit';

export function comments(page: Page): Locator {
  return page.getByRole('region', { name: /^Comments \(\d+\)$/ });
}

/** One comment (its list item) by its text. */
export function comment(page: Page, text: string): Locator {
  return comments(page).getByRole('listitem').filter({ has: page.getByText(text, { exact: true }) }).last();
}

export async function open(page: Page, path: string, javaScriptEnabled: boolean): Promise<void> {
  await page.goto(path);
  if (javaScriptEnabled) await hydrated(page);
}

/**
 * Signs a reader in from the comments under `path`: asks for a link, follows it from the email
 * the SMTP sink received, presses "Sign me in", chooses a display name and returns to the story.
 */
export async function readerSignIn(
  browser: Browser,
  nr: Newsroom,
  sink: SmtpSink,
  opts: { email: string; name: string; path: string; javaScriptEnabled: boolean },
): Promise<{ context: BrowserContext; page: Page; link: string }> {
  const context = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled: opts.javaScriptEnabled });
  const page = await context.newPage();
  await open(page, opts.path, opts.javaScriptEnabled);
  const signin = comments(page).getByRole('form', { name: 'Sign in to comment' });
  await signin.getByLabel('Your email').fill(opts.email);
  await signin.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByText('Check your inbox: we have sent you a link to sign in.')).toBeVisible();
  await expect.poll(() => sink.messagesTo(opts.email).length).toBe(1);
  const link = linkFrom(sink.messagesTo(opts.email)[0], '/account/verify?token=');

  await open(page, link, opts.javaScriptEnabled);
  await page.getByRole('button', { name: 'Sign me in' }).click();
  // First visit: choose the name shown with comments, then back to the story.
  await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  if (opts.javaScriptEnabled) await hydrated(page);
  await page.getByLabel('Name shown with your comments').fill(opts.name);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page).toHaveURL(new RegExp(`${opts.path}(\\?[^#]*)?#comments$`));
  if (opts.javaScriptEnabled) await hydrated(page);
  await expect(comments(page).getByText(`Commenting as ${opts.name}`)).toBeVisible();
  return { context, page, link };
}

/** Writes a new top-level comment and waits for the answer the form shows. */
export async function postComment(page: Page, text: string, expected: string | RegExp): Promise<void> {
  const form = comments(page).getByRole('form', { name: 'Write a comment' });
  await form.getByLabel('Your comment').fill(text);
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(comments(page).getByText(expected)).toBeVisible();
}
