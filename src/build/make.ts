import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { noSpaceError } from '../util/cache.ts';
import { CheckFailedError, EnvironmentError, InterruptedError } from '../util/errors.ts';

// Runs make in its own process group, appending everything to a log file.
// Ctrl-C (the AbortSignal) kills the whole group — make and every compiler it
// started — not just the top make. A log that cannot be written (a full disk)
// stops make the same way and is reported as one line, never as an unhandled
// stream error.

/** make itself failed (a compile error): the build step's answer is no, exit 1. */
export class MakeFailedError extends CheckFailedError {
  override name = 'MakeFailedError';
  constructor(
    message: string,
    readonly logPath: string,
    readonly logTail: string,
  ) {
    super(`${message}; last lines of ${logPath}:\n${logTail}`);
  }
}

export async function logTail(logPath: string, lines = 25): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).map((l) => `  ${l}`).join('\n');
}

const GRACE_MS = 5000;

export async function runMake(opts: {
  args: string[];
  env: NodeJS.ProcessEnv;
  logPath: string;
  what: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}): Promise<void> {
  if (opts.signal?.aborted) throw new InterruptedError(`${opts.what}: interrupted`);
  const log = createWriteStream(opts.logPath, { flags: 'a' });
  const logClosed = new Promise<void>((ok) => log.once('close', () => ok()));
  let logError: NodeJS.ErrnoException | undefined;
  log.write(`\n### make ${opts.args.join(' ')}\n`);
  const child = spawn('make', opts.args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let partial = '';
  const onData = (d: Buffer) => {
    if (!logError) log.write(d);
    if (!opts.onLine) return;
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) opts.onLine(l);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let killTimer: NodeJS.Timeout | undefined;
  const kill = () => {
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // already gone
      }
    };
    group('SIGTERM');
    killTimer = setTimeout(() => group('SIGKILL'), GRACE_MS);
  };
  opts.signal?.addEventListener('abort', kill, { once: true });
  // Without a log there is no build worth finishing: stop make as Ctrl-C does.
  log.on('error', (e: NodeJS.ErrnoException) => {
    if (logError) return;
    logError = e;
    if (!killTimer && child.exitCode === null && child.signalCode === null) kill();
  });
  // If we die first (uncaught error, second Ctrl-C), do not leave compilers behind.
  const onExit = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);

  let missing = false;
  const code = await new Promise<number | string>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      missing = e.code === 'ENOENT';
      resolve(e.message);
    });
    child.on('close', (c, sig) => resolve(c ?? sig ?? -1));
  });
  if (partial) opts.onLine?.(partial);
  clearTimeout(killTimer);
  opts.signal?.removeEventListener('abort', kill);
  process.removeListener('exit', onExit);
  log.end();
  await logClosed;
  if (opts.signal?.aborted) throw new InterruptedError(`${opts.what}: interrupted; make stopped`);
  if (logError?.code === 'ENOSPC') throw noSpaceError(opts.logPath, `writing the log of ${opts.what}`);
  if (logError) throw new EnvironmentError(`${opts.logPath}: cannot write the log of ${opts.what} (${logError.message}); make stopped`);
  // The machine's fault, not the build's: exit 2 with the package, not a make log.
  if (missing) throw new EnvironmentError('make not found (install make; `npm run setup` does)');
  if (code !== 0) {
    throw new MakeFailedError(`${opts.what} failed (make: ${code})`, opts.logPath, await logTail(opts.logPath));
  }
}
