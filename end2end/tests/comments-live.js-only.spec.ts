// Live comments need JavaScript by definition (without it, the same comments appear on reload,
// which comments.spec.ts covers in both projects).
import { expect, test } from '@playwright/test';
import { hydrated } from '../support/hydrated';
import { Newsroom, startNewsroom } from '../support/newsroom';
import { FERRY, comment, comments, open, postComment, readerSignIn } from '../support/readers';
import { SmtpSink, startSmtpSink } from '../support/smtp';
import { createStaff, signIn } from '../support/staff';

let sink: SmtpSink;
let nr: Newsroom;

test.beforeAll(async () => {
  sink = await startSmtpSink();
  nr = await startNewsroom({ env: sink.env() });
  createStaff(nr, 'live-mod@ledger.example', 'Night Editor', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
  await sink.stop();
});

test('on a pre-moderated story a comment is hidden until approved, then appears on open pages', async ({ browser }) => {
  const editor = await signIn(browser, nr, 'live-mod@ledger.example', true);
  // The editor pre-moderates the story from its "Edit post" link.
  await editor.page.goto(FERRY);
  await editor.page.getByRole('link', { name: 'Edit post' }).click();
  await hydrated(editor.page);
  const settings = editor.page.getByRole('form', { name: 'Comment settings' });
  await settings.getByLabel('Comments on this article').selectOption('premoderated');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings.getByText('Comment settings saved.')).toBeVisible();

  // Reader A has the story open at the comments (oldest first, the default); reader B reads
  // newest first but has scrolled down to the footer.
  const a = await browser.newContext({ baseURL: nr.baseURL });
  const aPage = await a.newPage();
  await open(aPage, FERRY, true);
  await expect(comments(aPage).getByText('Comments on this article are read by a moderator before they appear.')).toBeVisible();
  await comments(aPage).scrollIntoViewIfNeeded();
  const b = await browser.newContext({ baseURL: nr.baseURL });
  const bPage = await b.newPage();
  await open(bPage, `${FERRY}?comments=newest`, true);
  await bPage.getByRole('contentinfo').scrollIntoViewIfNeeded();

  const writer = await readerSignIn(browser, nr, sink, {
    email: 'bo@example.org',
    name: 'Bo Strand',
    path: FERRY,
    javaScriptEnabled: true,
  });
  const text = 'Is the Sunday service back to hourly as well?';
  await postComment(writer.page, text, 'Thank you! Your comment will appear once a moderator has approved it.');

  // Held: nobody else sees it, live or on reload.
  await aPage.waitForTimeout(1000);
  await expect(comments(aPage).getByText(text)).toHaveCount(0);
  // Reader C sorts by most replied, where a new comment has no place of its own.
  const c = await browser.newContext({ baseURL: nr.baseURL });
  const cPage = await c.newPage();
  await open(cPage, `${FERRY}?comments=replies`, true);
  await expect(comments(cPage).getByText(text)).toHaveCount(0);

  // Approved in the queue: it appears on A's open page without a reload.
  await editor.page.goto('/editor/moderation');
  await hydrated(editor.page);
  const item = editor.page.getByRole('listitem').filter({ hasText: text });
  await expect(item).toContainText('Held: article is pre-moderated');
  await item.getByRole('button', { name: 'Approve' }).click();
  await expect(item).toBeHidden();
  await expect(comment(aPage, text)).toBeVisible({ timeout: 5000 });
  await expect(comment(aPage, text)).toContainText('Bo Strand');
  // Oldest first: it arrives at the end, after the comments already there.
  await expect(comments(aPage).locator('ol.comment-list > li').last()).toContainText(text);

  // The pushed comment's forms answer in place too: A reports it without leaving the page.
  const pushed = comment(aPage, text);
  await pushed.locator('summary', { hasText: 'Report' }).click();
  const report = pushed.getByRole('form', { name: 'Report the comment by Bo Strand' });
  await report.getByLabel('Why should a moderator look at it?').selectOption('off-topic');
  const url = aPage.url();
  await report.getByRole('button', { name: 'Report' }).click();
  await expect(pushed.getByText('Thank you. A moderator will look at this comment.')).toBeVisible();
  expect(aPage.url()).toBe(url);
  await editor.page.goto('/editor/moderation?tab=reported');
  await expect(editor.page.getByRole('listitem').filter({ hasText: text })).toContainText('Reported: off-topic');

  // B, scrolled away, is not disturbed: the comment waits behind a button.
  const waiting = bPage.getByRole('button', { name: '1 new comment' });
  await expect(waiting).toBeVisible({ timeout: 5000 });
  await expect(comments(bPage).getByText(text)).toHaveCount(0);
  await waiting.click();
  await expect(comment(bPage, text)).toBeVisible();
  await expect(waiting).toBeHidden();
  await expect(comments(bPage).locator('ol.comment-list > li').first()).toContainText(text);

  // C is told about it and taken to the newest comments.
  const elsewhere = cPage.getByRole('button', { name: '1 new comment' });
  await expect(elsewhere).toBeVisible({ timeout: 5000 });
  await elsewhere.click();
  await expect(cPage).toHaveURL(/comments=newest/);
  await expect(comment(cPage, text)).toBeVisible();

  for (const ctx of [a, b, c, writer.context, editor.context]) await ctx.close();
});
