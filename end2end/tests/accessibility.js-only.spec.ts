// axe-core runs as JavaScript inside the page, so this file runs in the JS-on project only
// (playwright.config.ts ignores *.js-only.spec.ts for js-off). The HTML it audits is the same
// server-rendered HTML readers get without JavaScript.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { FERRY } from '../support/readers';

// FERRY is a story with threaded demo comments and the comment sign-in form.
for (const path of ['/', '/news', '/search?q=harbour', '/about', '/account', FERRY]) {
  test(`axe finds no serious or critical problems on ${path}`, async ({ page }) => {
    await page.goto(path);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
  });
}

test('axe finds no serious or critical problems on an article', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('region', { name: 'Top stories' }).getByRole('heading', { level: 2 }).first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
});


test('axe finds no serious or critical problems in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  for (const path of ['/', '/news', FERRY]) {
    await page.goto(path);
    const results = await new AxeBuilder({ page }).withTags(['wcag2aa']).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
  }
});
