// Live push needs JavaScript by definition; the JS-off behaviour of the same pages is covered
// in live-fallback.spec.ts.
import { Browser, BrowserContext, Page, expect, test } from '@playwright/test';
import { hydrated } from '../support/hydrated';
import { Newsroom, createNewsroom, startNewsroom } from '../support/newsroom';
import { createStaff, signIn } from '../support/staff';

let nr: Newsroom;

test.beforeAll(async () => {
  nr = await startNewsroom();
  createStaff(nr, 'desk@ledger.example', 'Live Desk', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
});
test.describe.configure({ mode: 'serial' });

async function openReader(browser: Browser, baseURL: string, path: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ baseURL });
  const page = await ctx.newPage();
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole('status').filter({ hasText: 'Live: new updates appear here.' }).first()).toBeVisible();
  return { ctx, page };
}

async function post(editor: Page, headline: string, body = ''): Promise<void> {
  await editor.goto('/editor/live');
  await hydrated(editor);
  const form = editor.getByRole('form', { name: 'Live update' });
  await form.getByLabel('Headline').fill(headline);
  if (body) await form.getByLabel('Update').fill(body);
  const done = editor.waitForResponse((r) => r.url().includes('/api/editor/live-post'));
  await form.getByRole('button', { name: 'Post update' }).click();
  expect((await done).status()).toBe(200);
  // After the answer the composer navigates itself to a fresh form (`?posted=ID`). Wait for
  // that page, or the next `goto` races it and one of the two navigations is aborted
  // (net::ERR_ABORTED), which is how this suite used to fail on a busy machine.
  await editor.waitForURL(/\/editor\/live\?posted=\d+$/);
  await hydrated(editor);
}

function feedItem(page: Page, headline: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: headline }) });
}

test('two open pages show new, edited and deleted updates within a second', async ({ browser }) => {
  const ed = await signIn(browser, nr, 'desk@ledger.example', true);
  const a = await openReader(browser, nr.baseURL, '/news-feed');
  const b = await openReader(browser, nr.baseURL, '/');

  await post(ed.page, 'Quay road closed after burst water main', 'Diversions via **Harbour Street**.');
  for (const reader of [a.page, b.page]) {
    await expect(feedItem(reader, 'Quay road closed after burst water main')).toBeVisible({ timeout: 1000 });
  }
  await expect(a.page.getByText('Diversions via')).toBeVisible();

  // Edit: both pages show the new headline and "Updated".
  await ed.page.goto('/editor/live');
  await ed.page.getByRole('link', { name: 'Edit: Quay road closed after burst water main' }).click();
  await hydrated(ed.page);
  const form = ed.page.getByRole('form', { name: 'Live update' });
  await form.getByLabel('Headline').fill('Quay road reopens after water main repair');
  const saved = ed.page.waitForResponse((r) => r.url().includes('/api/editor/live-post'));
  await form.getByRole('button', { name: 'Save update' }).click();
  await saved;
  await ed.page.waitForURL(/\/editor\/live\?saved=1$/);
  for (const reader of [a.page, b.page]) {
    const item = feedItem(reader, 'Quay road reopens after water main repair');
    await expect(item).toBeVisible({ timeout: 1000 });
    await expect(item.getByText(/^Updated/)).toBeVisible({ timeout: 1000 });
    await expect(feedItem(reader, 'Quay road closed after burst water main')).toHaveCount(0);
  }

  // Delete: gone from both.
  await ed.page.goto('/editor/live');
  const deleted = ed.page.waitForResponse((r) => r.url().includes('/api/editor/live-delete'));
  await ed.page
    .getByRole('form', { name: 'Delete: Quay road reopens after water main repair' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await deleted;
  await ed.page.waitForURL(/\/editor\/live\?deleted=1$/);
  for (const reader of [a.page, b.page]) {
    await expect(feedItem(reader, 'Quay road reopens after water main repair')).toHaveCount(0, { timeout: 1000 });
  }
  await Promise.all([ed.context.close(), a.ctx.close(), b.ctx.close()]);
});

test('a reader who has scrolled down or paused gets an "N new updates" button instead', async ({ browser }) => {
  const ed = await signIn(browser, nr, 'desk@ledger.example', true);
  const r = await openReader(browser, nr.baseURL, '/news-feed');
  await r.page.getByRole('button', { name: 'Pause live updates' }).click();
  await post(ed.page, 'Paused readers wait for this one');
  const more = r.page.getByRole('button', { name: '1 new update' });
  await expect(more).toBeVisible({ timeout: 1000 });
  await expect(feedItem(r.page, 'Paused readers wait for this one')).toHaveCount(0);
  await r.page.getByRole('button', { name: 'Resume live updates' }).click();
  await expect(feedItem(r.page, 'Paused readers wait for this one')).toBeVisible();

  // Scrolled past the top of the list: the page does not move.
  await r.page.setViewportSize({ width: 1000, height: 300 });
  await r.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  // What the reader is looking at (the page footer) must not move on screen.
  const footerTop = () => r.page.getByRole('contentinfo').evaluate((f) => Math.round(f.getBoundingClientRect().top));
  const before = await footerTop();
  await post(ed.page, 'Scrolled readers are not moved');
  await expect(r.page.getByRole('button', { name: '1 new update' })).toBeVisible({ timeout: 1000 });
  await expect(feedItem(r.page, 'Scrolled readers are not moved')).toHaveCount(0);
  expect(await footerTop()).toBe(before);
  await r.page.getByRole('button', { name: '1 new update' }).click();
  await expect(feedItem(r.page, 'Scrolled readers are not moved')).toBeVisible();
  await Promise.all([ed.context.close(), r.ctx.close()]);
});

test('no update is missed or shown twice across a server restart', async ({ browser }) => {
  const readers = [
    await openReader(browser, nr.baseURL, '/news-feed'),
    await openReader(browser, nr.baseURL, '/'),
  ];
  const edA = await signIn(browser, nr, 'desk@ledger.example', true);
  await post(edA.page, 'Before the restart');
  for (const r of readers) await expect(feedItem(r.page, 'Before the restart')).toBeVisible({ timeout: 1000 });

  // The readers' server goes away...
  await nr.stop();
  for (const r of readers) {
    await expect(r.page.getByRole('status').filter({ hasText: 'Reconnecting' }).first()).toBeVisible();
  }
  // ...while another app node on the same database keeps publishing.
  const nodeB = await createNewsroom({ dataDir: nr.dataDir, seed: false });
  await nodeB.start();
  const edB = await signIn(browser, nodeB, 'desk@ledger.example', true);
  await post(edB.page, 'Posted while the first server was down');
  await post(edB.page, 'Also posted during the outage');
  await nodeB.stop();
  await edB.context.close();

  // The first server comes back; readers reconnect and catch up from their last event.
  await nr.start();
  await post(edA.page, 'After the restart');
  const headlines = [
    'Before the restart',
    'Posted while the first server was down',
    'Also posted during the outage',
    'After the restart',
  ];
  for (const r of readers) {
    for (const h of headlines) {
      await expect(feedItem(r.page, h)).toHaveCount(1, { timeout: 15_000 });
    }
  }
  // And nothing arrives twice later on.
  await readers[0].page.waitForTimeout(2000);
  for (const r of readers) for (const h of headlines) await expect(feedItem(r.page, h)).toHaveCount(1);
  await Promise.all([edA.context.close(), ...readers.map((r) => r.ctx.close())]);
});
