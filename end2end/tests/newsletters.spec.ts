import { expect, test } from '@playwright/test';
import { hydrated } from '../support/hydrated';
import { Newsroom, startNewsroom } from '../support/newsroom';
import { SmtpSink, header, linkFrom, startSmtpSink } from '../support/smtp';
import { createStaff, signIn } from '../support/staff';

let sink: SmtpSink;
let nr: Newsroom;

test.beforeAll(async () => {
  sink = await startSmtpSink();
  nr = await startNewsroom({ env: sink.env() });
  createStaff(nr, 'letters@ledger.example', 'Letters Desk', 'editor');
});
test.afterAll(async () => {
  await nr.stop();
  await sink.stop();
});

test('sign up, confirm from the email, sign up again, bad address, one-click unsubscribe', async ({
  browser,
  javaScriptEnabled,
}, testInfo) => {
  const address = `reader-${testInfo.project.name}@example.org`;
  const ctx = await browser.newContext({ baseURL: nr.baseURL, javaScriptEnabled });
  const page = await ctx.newPage();
  await page.goto('/newsletters');
  if (javaScriptEnabled) await hydrated(page);
  const form = page.getByRole('form', { name: 'Newsletter sign-up' });
  await expect(form.getByText('indicates required')).toBeVisible();

  // A malformed address: the inline error, and nothing stored or sent.
  await form.getByRole('group', { name: /Newsletters/ }).getByLabel(/Morning Briefing/).check();
  await form.getByLabel('Email address').fill('reader@@example');
  // Browsers would stop a plainly invalid type=email field themselves; send it anyway.
  await form.getByLabel('Email address').evaluate((el) => el.setAttribute('type', 'text'));
  const before = sink.count();
  await form.getByRole('button', { name: 'Sign up' }).click();
  await expect(form.getByText('Please enter a correct email address.').first()).toBeVisible();
  await expect(form.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Email address')).toHaveValue('reader@@example');
  expect(sink.count()).toBe(before);

  // A good address: the success message, and a confirmation email at the SMTP server.
  await form.getByLabel('Email address').fill(address);
  await form.getByRole('group', { name: /Newsletters/ }).getByLabel(/Morning Briefing/).check();
  await form.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText(/Thank you for signing up!/)).toBeVisible();
  await expect.poll(() => sink.messagesTo(address).length).toBe(1);
  const confirmation = sink.messagesTo(address)[0];
  expect(header(confirmation, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

  // Following the link only shows a button; pressing it confirms.
  await page.goto(linkFrom(confirmation, '/newsletters/confirm?token='));
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm your subscription' })).toBeVisible();
  await page.getByRole('button', { name: 'Confirm my subscription' }).click();
  await expect(page.getByText(/You're subscribed to Morning Briefing/)).toBeVisible();

  // Signing up again: the same message, still one record, no second confirmation email.
  await page.goto('/newsletters');
  await form.getByRole('group', { name: /Newsletters/ }).getByLabel(/Morning Briefing/).check();
  await form.getByLabel('Email address').fill(address.toUpperCase());
  await form.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText(/Thank you for signing up!/)).toBeVisible();
  await page.waitForTimeout(300);
  expect(sink.messagesTo(address)).toHaveLength(1);

  const editor = await signIn(browser, nr, 'letters@ledger.example', javaScriptEnabled);
  await editor.page.goto(`/editor/newsletters?q=${encodeURIComponent(address)}`);
  const rows = editor.page.getByRole('table', { name: 'Matching subscriptions' }).getByRole('row');
  await expect(rows).toHaveCount(2); // header + one subscription
  await expect(rows.nth(1)).toContainText('confirmed');

  // RFC 8058: a POST to the List-Unsubscribe address, as a mail provider sends it.
  const unsubscribe = header(confirmation, 'List-Unsubscribe')!.replace(/^<|>$/g, '');
  const res = await ctx.request.post(unsubscribe, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: 'List-Unsubscribe=One-Click',
  });
  expect(res.status()).toBe(200);
  await editor.page.reload();
  await expect(editor.page.getByRole('table', { name: 'Matching subscriptions' }).getByRole('row').nth(1)).toContainText('unsubscribed');
  await editor.context.close();
  await ctx.close();
});

test('every article carries an inline sign-up form that answers in place', async ({ page, javaScriptEnabled }) => {
  await page.goto(nr.baseURL + '/');
  await page.getByRole('region', { name: 'Top stories' }).getByRole('heading', { level: 2 }).first().getByRole('link').click();
  if (javaScriptEnabled) await hydrated(page);
  const signup = page.getByRole('main').getByRole('form', { name: 'Sign up for Morning Briefing' });
  await signup.getByLabel('Email address').fill(`inline-${javaScriptEnabled ? 'js' : 'nojs'}@example.org`);
  const url = page.url();
  await signup.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('main').getByText(/Thank you for signing up!/)).toBeVisible();
  expect(page.url().split('?')[0].split('#')[0]).toBe(url.split('#')[0]);
});
