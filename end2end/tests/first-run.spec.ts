// What a newcomer sees after `make run` on a fresh database: a living News Feed, and a site that
// reads well on a phone. Uses the shared demo newsroom from global setup (seeded like `make run`).
import { expect, test } from '@playwright/test';

test('the demo News Feed has history: items, "Updated" and key-event marks, a pinned update', async ({
  page,
}) => {
  await page.goto('/');
  const column = page.getByRole('region', { name: 'News Feed' });
  const items = column.getByRole('listitem');
  await expect(items).toHaveCount(8);
  await expect(column.getByText('No updates yet.')).toHaveCount(0);
  await expect(items.first().getByText('Pinned')).toBeVisible();

  await page.goto('/news-feed');
  const feed = page.locator('.feed-list').first().getByRole('listitem');
  await expect(feed).toHaveCount(20);
  await expect(page.getByText('No updates yet.')).toHaveCount(0);
  // "Updated 07:52" marks on revised items.
  await expect(feed.getByText(/^Updated \d/).first()).toBeVisible();
  expect(await feed.getByText(/^Updated \d/).count()).toBeGreaterThanOrEqual(3);
  expect(await feed.getByText('Key event', { exact: true }).count()).toBeGreaterThanOrEqual(3);
  // Linked stories lead to real articles.
  const story = feed.getByRole('link', { name: /^Read the story:/ }).first();
  const title = (await story.textContent())!.replace('Read the story: ', '').trim();
  await story.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);

  // The key-events filter keeps only key events.
  await page.goto('/news-feed');
  await page.getByRole('navigation', { name: 'Filter updates' }).getByRole('link', { name: 'Key events' }).click();
  const keys = page.locator('.feed-list').first().getByRole('listitem');
  expect(await keys.count()).toBeGreaterThanOrEqual(3);
  for (const item of await keys.all()) await expect(item.getByText('Key event', { exact: true })).toBeVisible();
});

test('the demo staff account printed by `make run` signs in (development mode)', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('demo.editor@ledger.example');
  await page.getByLabel('Password').fill('calloway-demo-desk');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Articles' })).toBeVisible();
  // The newsletter desk opens on yesterday's sent Morning Briefing.
  await page.goto('/editor/newsletters');
  await expect(page.getByText('Morning Briefing: ferries, floodlights and a bell comes home')).toBeVisible();
  await context.close();
});

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  async function inFirstScreen(page: import('@playwright/test').Page, heading: import('@playwright/test').Locator) {
    await expect(heading).toBeVisible();
    const box = (await heading.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + Math.min(box.height, 60), 'the headline starts on the first screen').toBeLessThanOrEqual(844);
    // And the page does not scroll sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }

  test("the front's lead headline and an article's headline are on the first screen", async ({ page }) => {
    await page.goto('/');
    // The site's chrome (promo, masthead, sections, demo notice) takes at most a quarter of it.
    const chrome = (await page.getByRole('banner').boundingBox())!;
    expect(chrome.y + chrome.height).toBeLessThanOrEqual(844 / 4);
    const lead = page.getByRole('region', { name: 'Top stories' }).getByRole('heading', { level: 2 }).first();
    await inFirstScreen(page, lead);
    const title = (await lead.textContent())!.trim();

    await lead.getByRole('link').click();
    const h1 = page.getByRole('heading', { level: 1, name: title });
    await inFirstScreen(page, h1);
    // Fully on screen, not just its first line.
    const box = (await h1.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(844);
  });

  test('the masthead is one compact row; sections scroll sideways in one row', async ({ page }) => {
    await page.goto('/');
    const header = page.getByRole('banner');
    const name = header.getByRole('link', { name: 'The Calloway Ledger' });
    const search = header.getByRole('link', { name: 'Search' }).or(header.getByRole('button', { name: 'Search' }));
    const menu = header.getByRole('button', { name: 'Menu' }).or(header.getByText('Menu', { exact: true }));
    for (const l of [name, search.first(), menu.first()]) await expect(l).toBeVisible();
    const boxes = await Promise.all([name, search.first(), menu.first()].map(async (l) => (await l.boundingBox())!));
    const rowTop = Math.min(...boxes.map((b) => b.y));
    const rowBottom = Math.max(...boxes.map((b) => b.y + b.height));
    expect(rowBottom - rowTop, 'name, search and menu share one row').toBeLessThanOrEqual(56);

    const nav = header.getByRole('navigation', { name: 'Sections' });
    const links = nav.getByRole('listitem');
    const tops = new Set<number>();
    for (const li of (await links.all()).slice(0, 6)) tops.add(Math.round((await li.boundingBox())!.y));
    expect(tops.size, 'one row of sections').toBe(1);
    expect(await nav.locator('ul').first().evaluate((u) => u.scrollWidth > u.clientWidth)).toBe(true);
  });
});

test('one date and time format everywhere: article, its comments and the News Feed', async ({ page }) => {
  // A story with demo comments: the first "N comments" link on the front.
  await page.goto('/');
  const withComments = page.getByRole('link', { name: /\d+ comments?/ }).first();
  await withComments.click();
  // The News Feed column on the article page is live (with JavaScript): let it start, since
  // that is when a browser could rewrite times in its own format.
  await expect(page.getByRole('region', { name: 'News Feed' }).getByRole('listitem').first()).toBeVisible();
  await page.waitForTimeout(500);
  const times = page.locator('main time');
  const texts = (await times.allTextContents()).map((t) => t.trim()).filter((t) => /\d:\d\d/.test(t));
  expect(texts.length).toBeGreaterThan(1);
  // 24-hour clock, no AM/PM anywhere.
  for (const t of texts) expect(t, t).not.toMatch(/\b(AM|PM)\b/i);
});
