import { expect, test } from '@playwright/test';
import { hydrated } from '../support/hydrated';
import { drawPng } from '../support/image';
import { Newsroom, startNewsroom } from '../support/newsroom';
import { createStaff, signIn } from '../support/staff';

let nr: Newsroom;

test.beforeAll(async () => {
  nr = await startNewsroom();
  createStaff(nr, 'editor@ledger.example', 'Edith Editor', 'editor');
  createStaff(nr, 'second@ledger.example', 'Sam Second', 'editor');
});

test.afterAll(async () => {
  await nr.stop();
});

test.describe.configure({ mode: 'serial' });

test('an editor publishes with an image, edits the title, unpublishes; a reader follows along', async ({
  browser,
  javaScriptEnabled,
}, testInfo) => {
  const suffix = testInfo.project.name;
  const title = `Harbour lights festival returns (${suffix})`;
  const { context: edCtx, page: ed } = await signIn(browser, nr, 'editor@ledger.example', javaScriptEnabled);
  const readerCtx = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled });
  const reader = await readerCtx.newPage();

  await ed.getByRole('link', { name: 'New article' }).first().click();
  if (javaScriptEnabled) await hydrated(ed);
  const form = ed.getByRole('form', { name: 'Article', exact: true });
  await form.getByLabel('Headline').fill(title);
  await form.getByLabel('Standfirst').fill('Lanterns on the quay for the first time in five years.');
  await form.getByLabel('Section').selectOption({ label: 'Culture' });
  await form.getByLabel('Tags').fill('Festivals, Harbour');
  await form.getByRole('group', { name: 'Authors' }).getByLabel('Orla Penhaligon').check();
  await form.getByLabel('Story').fill('The lanterns are back.\n\n## On the quay\n\nStalls open at six.');
  await form.getByLabel('Upload an image').setInputFiles({
    name: 'lanterns.png',
    mimeType: 'image/png',
    buffer: drawPng(),
  });
  await form.getByLabel('Alt text').fill('Lanterns reflected in the harbour at dusk.');
  await form.getByLabel('Caption').fill('The quay on the festival’s opening night.');
  await form.getByLabel('Credit').fill('Illustration: test suite');
  await form.getByRole('button', { name: 'Publish now' }).click();
  await expect(ed.getByText('Published. Readers can see it now.')).toBeVisible();
  await expect(ed.getByRole('heading', { level: 1 })).toContainText(title);

  // A reader in another browser context sees it on the front page and its section page.
  await reader.goto('/');
  await expect(reader.getByRole('link', { name: title }).first()).toBeVisible();
  await reader.goto('/culture');
  await reader.getByRole('link', { name: title }).first().click();
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText(title);
  const articleUrl = reader.url();
  const hero = reader.getByRole('figure').getByRole('img', { name: 'Lanterns reflected in the harbour at dusk.' });
  await expect(hero).toHaveAttribute('srcset', /480w/);
  await expect(reader.getByRole('link', { name: 'Edit post' })).toHaveCount(0);

  // The editor uses "Edit post" on the article and changes the title.
  await ed.goto(articleUrl);
  await ed.getByRole('link', { name: 'Edit post' }).click();
  if (javaScriptEnabled) await hydrated(ed);
  const newTitle = `${title}, with fireworks`;
  await ed.getByRole('form', { name: 'Article', exact: true }).getByLabel('Headline').fill(newTitle);
  await ed.getByRole('form', { name: 'Article', exact: true }).getByRole('button', { name: 'Save changes' }).click();
  await expect(ed.getByRole('form', { name: 'Article', exact: true }).getByRole('status')).toHaveText(
    'Saved. The published story is updated.',
  );
  await reader.goto(articleUrl);
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText(newTitle);

  // Unpublished: the reader is told it is gone.
  await ed.getByRole('form', { name: 'Article', exact: true }).getByRole('button', { name: 'Unpublish' }).click();
  await expect(ed.getByRole('form', { name: 'Article', exact: true }).getByRole('status')).toContainText('Unpublished');
  const res = await reader.goto(articleUrl);
  expect(res?.status()).toBe(410);
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('This article is no longer available');

  await edCtx.close();
  await readerCtx.close();
});

test('the second of two concurrent saves is refused and keeps its text', async ({
  browser,
  javaScriptEnabled,
}) => {
  const a = await signIn(browser, nr, 'editor@ledger.example', javaScriptEnabled);
  const b = await signIn(browser, nr, 'second@ledger.example', javaScriptEnabled);
  // Both open the same article.
  await a.page.goto('/editor?section=sport');
  const link = a.page.getByRole('table').getByRole('link').first();
  const href = (await link.getAttribute('href'))!;
  await a.page.goto(href);
  await b.page.goto(href);
  if (javaScriptEnabled) {
    await hydrated(a.page);
    await hydrated(b.page);
  }
  const formA = a.page.getByRole('form', { name: 'Article', exact: true });
  const formB = b.page.getByRole('form', { name: 'Article', exact: true });
  await formA.getByLabel('Story').fill('Editor A rewrote the story.');
  await formA.getByRole('button', { name: 'Save changes' }).click();
  await expect(formA.getByRole('status')).toHaveText('Saved. The published story is updated.');

  const textB = 'Editor B wrote a different version that must not be lost.';
  await formB.getByLabel('Story').fill(textB);
  await formB.getByRole('button', { name: 'Save changes' }).click();
  await expect(b.page.getByRole('form', { name: 'Article', exact: true }).getByRole('status')).toContainText(
    'Someone else changed this since you opened it',
  );
  await expect(b.page.getByRole('form', { name: 'Article', exact: true }).getByLabel('Story')).toHaveValue(textB);

  // The stored article is A's.
  const reader = await browser.newPage({ baseURL: nr.baseURL });
  const articleUrl = (await a.page.getByRole('link', { name: /View on site/ }).getAttribute('href'))!;
  await reader.goto(articleUrl);
  await expect(reader.getByText('Editor A rewrote the story.')).toBeVisible();
  await a.context.close();
  await b.context.close();
  await reader.close();
});
