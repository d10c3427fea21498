import { expect, test } from '@playwright/test';
import { hydrated } from '../support/hydrated';
import { Newsroom, startNewsroom } from '../support/newsroom';
import { createStaff, signIn } from '../support/staff';

// The rendered-page cache (issue #21) in a real browser: a page served from memory still
// hydrates under its hash-based Content-Security-Policy, and an editor's page (with "Edit
// post") is never what a reader gets.

let nr: Newsroom;

test.beforeAll(async () => {
  nr = await startNewsroom();
  createStaff(nr, 'cache-desk@ledger.example', 'Cache Desk', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
});

test('a cached page hydrates, and an editor and a reader each get their own page', async ({
  browser,
  javaScriptEnabled,
}) => {
  const readerCtx = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled });
  const reader = await readerCtx.newPage();
  const violations: string[] = [];
  reader.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) violations.push(m.text());
  });

  await reader.goto('/');
  const story = reader.getByRole('region', { name: 'Top stories' }).getByRole('heading', { level: 2 }).first().getByRole('link');
  await story.click();
  const articleUrl = reader.url();
  // The first reader may have rendered it; the next is served from memory.
  const again = await reader.goto(articleUrl);
  expect(again?.headers()['x-cache']).toBe('HIT');
  expect(again?.headers()['content-security-policy']).toContain("'sha256-");
  expect(again?.headers()['content-security-policy']).not.toContain("'nonce-");
  if (javaScriptEnabled) await hydrated(reader);
  await expect(reader.getByRole('link', { name: 'Edit post' })).toHaveCount(0);

  // The editor's page is rendered for the editor alone.
  const { context: edCtx, page: ed } = await signIn(browser, nr, 'cache-desk@ledger.example', javaScriptEnabled);
  const edRes = await ed.goto(articleUrl);
  expect(edRes?.headers()['x-cache']).toBe('BYPASS');
  await expect(ed.getByRole('link', { name: 'Edit post' })).toBeVisible();

  // ... and the reader still gets the shared page, without it.
  const third = await reader.goto(articleUrl);
  expect(third?.headers()['x-cache']).toBe('HIT');
  await expect(reader.getByRole('link', { name: 'Edit post' })).toHaveCount(0);
  if (javaScriptEnabled) await hydrated(reader);
  expect(violations).toEqual([]);

  await edCtx.close();
  await readerCtx.close();
});
