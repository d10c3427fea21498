import { expect, test } from '@playwright/test';

test('a reader walks front → section → article → tag → author → search → static page', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
  await expect(page.getByRole('contentinfo')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Editors\u2019 Picks' }).or(page.getByRole('region', { name: "Editors' Picks" }))).toBeVisible();
  await expect(page.getByRole('region', { name: 'Most popular' })).toBeVisible();

  // Section
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Climate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Climate' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Climate' }).first()).toHaveAttribute('aria-current', 'page');

  // Article
  const story = page.getByRole('main').getByRole('article').first().getByRole('heading').getByRole('link');
  const title = (await story.textContent())!.trim();
  await story.click();
  const article = page.getByRole('article', { name: title });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(article.getByText(/min read/)).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'More stories' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'More news' })).toBeVisible();

  // Tag
  const tags = article.getByRole('list', { name: 'Tags' });
  const tagName = (await tags.getByRole('link').first().textContent())!.trim();
  await tags.getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name: tagName })).toBeVisible();

  // Author
  const byline = page.getByRole('main').locator('[rel=author]').first();
  const author = (await byline.textContent())!.trim();
  await byline.click();
  await expect(page.getByRole('heading', { level: 1, name: author })).toBeVisible();

  // Search (a plain GET form: works the same without JavaScript)
  const search = page.getByRole('banner').getByRole('searchbox', { name: 'Search the Ledger' });
  await search.fill('ferry');
  await search.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /results? for “ferry”/ })).toBeVisible();
  await expect(page.locator('mark').first()).toHaveText(/ferr/i);

  // Static page through the "More" menu (a <details> menu: opens without JavaScript)
  await page.getByRole('navigation', { name: 'Sections' }).getByText('More').click();
  await page.getByRole('link', { name: 'About' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'About the Ledger' })).toBeVisible();
});

test('the More menu works from the keyboard', async ({ page }) => {
  await page.goto('/');
  const summary = page.getByRole('navigation', { name: 'Sections' }).getByText('More');
  await summary.focus();
  await page.keyboard.press('Enter');
  const jobs = page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Jobs' });
  await expect(jobs).toBeVisible();
  await jobs.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Work with us' })).toBeVisible();
});

test('the skip link moves focus to the content', async ({ page }) => {
  await page.goto('/news');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
});

test('feeds are discoverable from every page', async ({ page }) => {
  await page.goto('/tag/ferries');
  await expect(page.locator('link[rel=alternate][type="application/rss+xml"][href="/feed.xml"]')).toHaveCount(1);
  await expect(page.locator('link[rel=alternate][href="/tag/ferries/feed.xml"]')).toHaveCount(1);
});
