// Comments, with and without JavaScript: magic-link sign-in from the test SMTP server, a new
// commenter's first comment held for a moderator, replies, banned words and inert payloads.
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
  createStaff(nr, 'mod@ledger.example', 'Moderation Desk', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
  await sink.stop();
});

test('a reader signs in by email, is moderated once, then replies; bad input is refused or inert', async ({
  browser,
  javaScriptEnabled,
}, testInfo) => {
  const tag = testInfo.project.name;
  const reader = await readerSignIn(browser, nr, sink, {
    email: `ada-${tag}@example.org`,
    name: `Ada Quill ${tag}`,
    path: FERRY,
    javaScriptEnabled,
  });
  const page = reader.page;

  // The sign-in link works once.
  const again = await reader.context.newPage();
  await open(again, reader.link, javaScriptEnabled);
  await again.getByRole('button', { name: 'Sign me in' }).click();
  await expect(again.getByText('This sign-in link has expired or was already used. Ask for a new one.')).toBeVisible();
  await again.close();

  // A new commenter's first comment waits for a moderator: the author sees it marked,
  // another reader does not see it at all.
  const first = `The timetable board at the quay still shows the winter times (${tag}).`;
  await postComment(page, first, 'Thank you! Your comment will appear once a moderator has approved it.');
  await open(page, FERRY, javaScriptEnabled);
  await expect(comment(page, first)).toContainText('Awaiting moderation');
  const other = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled });
  const otherPage = await other.newPage();
  await open(otherPage, FERRY, javaScriptEnabled);
  await expect(comments(otherPage).getByText(first)).toHaveCount(0);

  // The editor approves it from the queue.
  const editor = await signIn(browser, nr, 'mod@ledger.example', javaScriptEnabled);
  await editor.page.goto('/editor/moderation');
  if (javaScriptEnabled) await hydrated(editor.page);
  const item = editor.page.getByRole('listitem').filter({ hasText: first });
  await expect(item).toContainText('Held: new commenter');
  await item.getByRole('button', { name: 'Approve' }).click();
  if (javaScriptEnabled) {
    await expect(item).toBeHidden();
  } else {
    await expect(editor.page.getByText('Approved: it is now visible to readers.')).toBeVisible();
  }
  await otherPage.reload();
  await expect(comment(otherPage, first)).toBeVisible();
  await expect(comment(otherPage, first)).not.toContainText('Awaiting moderation');
  // A reader who is not signed in is pointed to the sign-in form instead of a reply box.
  await comment(otherPage, first).locator('summary', { hasText: 'Reply' }).click();
  await expect(comment(otherPage, first).getByRole('link', { name: 'Sign in to reply' })).toBeVisible();

  // Now trusted: a reply is published at once and sits under its parent.
  await open(page, FERRY, javaScriptEnabled);
  const parent = comment(page, first);
  await parent.getByText('Reply', { exact: true }).click();
  const replyForm = parent.getByRole('form', { name: `Reply to Ada Quill ${tag}` });
  const reply = `Update: the board was changed this afternoon (${tag}).`;
  await replyForm.getByLabel(`Reply to Ada Quill ${tag}`).fill(reply);
  await replyForm.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.getByText(/Your comment is published/)).toBeVisible();
  await otherPage.reload();
  await expect(comment(otherPage, first).getByRole('list').getByText(reply)).toBeVisible();

  // A banned word: a clear refusal, and the text stays in the box.
  await open(page, FERRY, javaScriptEnabled);
  const rude = `Whoever planned this refit is a scumbag (${tag}).`;
  const form = comments(page).getByRole('form', { name: 'Write a comment' });
  await form.getByLabel('Your comment').fill(rude);
  await form.getByRole('button', { name: 'Post comment' }).click();
  await expect(form.getByText(/Your comment contains language we do not allow/).first()).toBeVisible();
  await expect(form.getByLabel('Your comment')).toHaveValue(rude);
  await otherPage.reload();
  await expect(comments(otherPage).getByText(rude)).toHaveCount(0);

  // Script payloads are shown as text and never run.
  const dialogs: string[] = [];
  for (const p of [page, otherPage]) p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  const payload = `<script>alert('s-${tag}')</script> <img src=x onerror="alert('i-${tag}')">`;
  await open(page, FERRY, javaScriptEnabled);
  await postComment(page, payload, /Your comment is published/);
  await otherPage.reload();
  await expect(comment(otherPage, payload)).toBeVisible();
  await expect(comments(otherPage).locator('img[src="x"]')).toHaveCount(0);
  await expect(comments(otherPage).locator('script')).toHaveCount(0);
  expect(dialogs).toEqual([]);

  // Comment counts reach the story's card on the front page.
  await open(otherPage, '/', javaScriptEnabled);
  await expect(otherPage.locator(`a[href="${FERRY}#comments"]`).first()).toHaveText(/\d+ comments/);

  await editor.context.close();
  await other.close();
  await reader.context.close();
});
