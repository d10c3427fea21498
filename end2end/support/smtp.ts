// Starts the loopback SMTP sink (Debian's python3-aiosmtpd) for a test and reads what it got.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './newsroom';

export class SmtpSink {
  constructor(
    public readonly port: number,
    public readonly dir: string,
    private readonly proc: ChildProcess,
  ) {}

  /** Configuration for a Newsroom instance that sends to this sink. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NEWSROOM__MAIL__TRANSPORT: 'smtp',
      NEWSROOM__MAIL__SMTP_HOST: '127.0.0.1',
      NEWSROOM__MAIL__SMTP_PORT: String(this.port),
      NEWSROOM__MAIL__SMTP_TLS: 'none',
      ...extra,
    };
  }

  files(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  }

  count(): number {
    return this.files().length;
  }

  messages(): string[] {
    return this.files().map((f) => fs.readFileSync(path.join(this.dir, f), 'utf8'));
  }

  /** Messages to one address (the envelope recipient). */
  messagesTo(address: string): string[] {
    return this.messages().filter((m) => m.split('\r\n')[0] === `X-Envelope-To: ${address}`);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.proc.once('exit', () => resolve());
        this.proc.kill('SIGTERM');
      });
    }
  }
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsroom-smtp-'));
  const proc = spawn('/usr/bin/python3', [path.join(__dirname, 'smtp_sink.py'), '--port', String(port), '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.once('data', (d: Buffer) => (d.toString().startsWith('READY') ? resolve() : reject(new Error(d.toString()))));
    proc.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
  });
  return new SmtpSink(port, dir, proc);
}

/** A link from a (possibly quoted-printable) email. */
export function linkFrom(message: string, pathPart: string): string {
  const unfolded = message.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = unfolded.match(new RegExp(`https?://[^\\s"<>]*${pathPart.replace(/[?]/g, '\\?')}[^\\s"<>]*`));
  if (!match) throw new Error(`no ${pathPart} link in:\n${unfolded}`);
  return match[0];
}

/** A header's value (unfolded). */
export function header(message: string, name: string): string | undefined {
  const head = message.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
  return line?.slice(name.length + 1).trim();
}
