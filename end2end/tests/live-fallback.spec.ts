import { expect, test } from '@playwright/test';
import { Newsroom, startNewsroom } from '../support/newsroom';
import { createStaff, signIn } from '../support/staff';

let nr: Newsroom;
test.beforeAll(async () => {
  nr = await startNewsroom();
  createStaff(nr, 'desk2@ledger.example', 'Desk Two', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
});

test('the News Feed works as plain pages: posting, "Show latest", key events, permalinks', async ({
  browser,
  javaScriptEnabled,
}) => {
  const ed = await signIn(browser, nr, 'desk2@ledger.example', javaScriptEnabled);
  const reader = await (await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled })).newPage();
  await reader.goto('/news-feed');
  await expect(reader.getByRole('heading', { level: 1, name: 'News Feed' })).toBeVisible();

  await ed.page.goto('/editor/live');
  const form = ed.page.getByRole('form', { name: 'Live update' });
  const headline = `Ferry timetable restored (${javaScriptEnabled ? 'js' : 'no-js'})`;
  await form.getByLabel('Headline').fill(headline);
  await form.getByLabel('Key event').check();
  await form.getByRole('button', { name: 'Post update' }).click();
  await expect(ed.page.getByText("Posted. Readers' pages show it now.")).toBeVisible();

  await reader.getByRole('link', { name: 'Show latest' }).click();
  const item = reader.getByRole('listitem').filter({ has: reader.getByRole('heading', { name: headline }) });
  await expect(item).toBeVisible();
  await expect(item.getByText('Key event')).toBeVisible();
  await reader.getByRole('navigation', { name: 'Filter updates' }).getByRole('link', { name: 'Key events' }).click();
  await expect(item).toBeVisible();

  await item.getByRole('link', { name: headline }).click();
  await expect(reader.getByRole('heading', { level: 1, name: headline })).toBeVisible();
  const ld = JSON.parse((await (await reader.request.get('/news-feed')).text()).split('<script type="application/ld+json">')[1].split('</script>')[0]);
  expect(ld['@type']).toBe('LiveBlogPosting');
  expect(ld.liveBlogUpdate.some((u: any) => u.headline === headline)).toBe(true);
  await ed.context.close();
});
