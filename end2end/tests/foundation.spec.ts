import { expect, test } from '@playwright/test';

test.describe('foundation', () => {
  test('front page leads to a complete article', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    const topStories = page.getByRole('region', { name: 'Top stories' });
    const firstStory = topStories.getByRole('heading', { level: 2 }).first().getByRole('link');
    const title = (await firstStory.textContent())!.trim();
    await firstStory.click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
    await expect(page).toHaveTitle(new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const article = page.getByRole('article', { name: title });
    await expect(article.locator('time[datetime]').first()).toBeVisible();
    await expect(article.getByRole('link', { name: /.+/ }).and(article.locator('[rel=author]')).first()).toBeVisible();
    await expect(article.getByRole('figure')).toBeVisible();
    await expect(article.getByRole('list', { name: 'Tags' }).getByRole('link').first()).toBeVisible();
    // Readers never see staff controls.
    await expect(page.getByRole('link', { name: 'Edit post' })).toHaveCount(0);
  });

  test('unknown pages answer 404 with a helpful page', async ({ page }) => {
    const res = await page.goto('/news/this-story-does-not-exist');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('We could not find that page');
    await expect(page.getByRole('search').last().getByLabel('Search the Ledger')).toBeVisible();
    await page.getByRole('link', { name: 'Go to the front page' }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test('the promo banner dismisses (in place with JavaScript, by form post without)', async ({
    page,
    javaScriptEnabled,
  }) => {
    await page.goto('/about');
    const banner = page.getByRole('complementary', { name: 'Announcement' });
    await expect(banner).toBeVisible();
    if (javaScriptEnabled) {
      // Wait for hydration, then prove the click was handled in place: a value stored on
      // window survives only if the page did not navigate.
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      await page.evaluate(() => ((window as any).__marker = 'still-here'));
      await banner.getByRole('button', { name: /Dismiss/ }).click();
      await expect(banner).toBeHidden();
      expect(await page.evaluate(() => (window as any).__marker)).toBe('still-here');
    } else {
      await banner.getByRole('button', { name: /Dismiss/ }).click();
      await expect(page).toHaveURL(/\/about$/);
      await expect(page.getByRole('complementary', { name: 'Announcement' })).toHaveCount(0);
    }
    // Either way the choice is remembered.
    await page.goto('/');
    await expect(page.getByRole('complementary', { name: 'Announcement' })).toHaveCount(0);
  });
});
