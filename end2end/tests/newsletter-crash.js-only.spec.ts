// A newsletter issue to 2,000 confirmed subscribers through a real SMTP server; the sending
// server process is killed (SIGKILL) halfway and restarted; every subscriber ends up with
// exactly one copy. (No browser needed; it runs once, in the js-on project.)
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Newsroom, createNewsroom } from '../support/newsroom';
import { SmtpSink, startSmtpSink } from '../support/smtp';
import { PASSWORD, createStaff } from '../support/staff';

const SUBSCRIBERS = 2000;
let sink: SmtpSink;
let nr: Newsroom;

test.beforeAll(async () => {
  sink = await startSmtpSink();
  nr = await createNewsroom({ env: sink.env({ NEWSROOM__MAIL__SEND_RATE_PER_SECOND: '400' }) });
  createStaff(nr, 'sender@ledger.example', 'Sender', 'editor');
  const list = path.join(nr.dataDir, 'subscribers.txt');
  fs.writeFileSync(list, Array.from({ length: SUBSCRIBERS }, (_, i) => `subscriber${i}@example.org`).join('\n'));
  nr.cli(['import-subscribers', '--newsletter', 'weekly-digest', '--file', list]);
  await nr.start();
});
test.afterAll(async () => {
  await nr.stop();
  await sink.stop();
});

async function post(path: string, body: string, cookie = ''): Promise<Response> {
  return fetch(nr.baseURL + path, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      origin: nr.baseURL,
      cookie,
    },
    body,
  });
}

test('an interrupted send resumes and delivers exactly one copy to each subscriber', async () => {
  test.setTimeout(180_000);
  const signin = await post('/api/account/sign-in', `email=sender%40ledger.example&password=${encodeURIComponent(PASSWORD)}`);
  expect(signin.status).toBe(200);
  const cookie = signin.headers.get('set-cookie')!.split(';')[0];

  const home = await (await fetch(nr.baseURL + '/api/reader/front')).json();
  const story = home.lead.id;
  const saved = await post('/api/editor/save-issue', `id=&newsletter=weekly-digest&subject=The+week+in+Calloway&intro=Hello.&a_${story}=on`, cookie);
  expect(saved.status).toBe(200);
  const issueId = Number((await saved.json()).redirect.match(/issues\/(\d+)/)[1]);
  const sent = await post('/api/editor/send-issue', `id=${issueId}`, cookie);
  expect(sent.status).toBe(200);

  // Halfway through, the process dies without warning.
  await expect.poll(() => sink.count(), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(SUBSCRIBERS / 2);
  await nr.stop('SIGKILL');
  const atCrash = sink.count();
  expect(atCrash).toBeLessThan(SUBSCRIBERS);

  await nr.start();
  await expect.poll(() => sink.count(), { timeout: 90_000, intervals: [250] }).toBe(SUBSCRIBERS);
  // Give any stray duplicate time to show up.
  await new Promise((r) => setTimeout(r, 3000));
  const perRecipient = new Map<string, number>();
  for (const m of sink.messages()) {
    const to = m.split('\r\n')[0].replace('X-Envelope-To: ', '');
    perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
  }
  expect(perRecipient.size).toBe(SUBSCRIBERS);
  expect([...perRecipient.values()].filter((n) => n !== 1)).toEqual([]);
  console.log(`killed after ${atCrash} of ${SUBSCRIBERS}; resumed; ${sink.count()} messages, one per subscriber`);
});
