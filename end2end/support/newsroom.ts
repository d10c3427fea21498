// Starts and stops real Newsroom server processes for the browser tests: each instance has
// its own temporary database, media folder and a free port, so tests never share hidden state
// unless they use the one shared instance from global setup.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const binary = path.join(repoRoot, 'target', 'release', 'newsroom');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NewsroomOptions {
  seed?: boolean;
  env?: Record<string, string>;
  dataDir?: string;
}

export class Newsroom {
  proc: ChildProcess | null = null;
  log = '';
  constructor(
    public readonly port: number,
    public readonly dataDir: string,
    public readonly env: Record<string, string>,
  ) {}

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs a CLI command against this instance's database. */
  cli(args: string[], input?: string, extraEnv: Record<string, string> = {}): string {
    const res = spawnSync(binary, args, {
      cwd: repoRoot,
      env: { ...process.env, ...this.env, ...extraEnv },
      input,
      encoding: 'utf8',
    });
    if (res.status !== 0) {
      throw new Error(`newsroom ${args.join(' ')} failed: ${res.stderr}`);
    }
    return res.stdout;
  }

  async start(): Promise<void> {
    this.proc = spawn(binary, ['serve'], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (b: Buffer) => {
      this.log += b.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    this.proc.stdout?.on('data', append);
    this.proc.stderr?.on('data', append);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) {
        throw new Error(`newsroom exited early:\n${this.log}`);
      }
      try {
        const res = await fetch(`${this.baseURL}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`newsroom did not start on ${this.baseURL}:\n${this.log}`);
  }

  /** Stops the server: SIGTERM (graceful) by default, SIGKILL to simulate a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      p.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      p.kill(signal);
    });
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Creates (but does not start) an instance with a fresh database. */
export async function createNewsroom(opts: NewsroomOptions = {}): Promise<Newsroom> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'newsroom-e2e-'));
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: `sqlite://${path.join(dataDir, 'newsroom.db')}`,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: path.join(repoRoot, 'target', 'site'),
    NEWSROOM__SITE__BASE_URL: `http://127.0.0.1:${port}`,
    NEWSROOM__STORAGE__MEDIA_DIR: path.join(dataDir, 'media'),
    NEWSROOM__MAIL__OUTBOX_DIR: path.join(dataDir, 'outbox'),
    RUST_LOG: 'warn,newsroom=info',
    ...(opts.env ?? {}),
  };
  const nr = new Newsroom(port, dataDir, env);
  nr.cli(['migrate']);
  if (opts.seed !== false) nr.cli(['seed-demo']);
  return nr;
}

/** Creates and starts an instance. */
export async function startNewsroom(opts: NewsroomOptions = {}): Promise<Newsroom> {
  const nr = await createNewsroom(opts);
  await nr.start();
  return nr;
}
