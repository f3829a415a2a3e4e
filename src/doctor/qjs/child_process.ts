import { bufferFrom } from './buffer.ts';
import { native } from './native.ts';

// node:child_process for the doctor's QuickJS bundle: spawnSync of the probe
// (empty environment, stdin text, utf8 output), as env.ts calls it.

interface Options {
  encoding?: 'utf8';
  timeout?: number;
  input?: string;
  env?: Record<string, string>;
}

export function spawnSync(file: string, args: readonly string[], opts: Options = {}) {
  try {
    const r = native.spawnSync(file, args, opts.input ?? null, opts.timeout ?? 0x7fffffff);
    const text = (b: ArrayBuffer) => bufferFrom(b).toString('utf8');
    return {
      pid: r.pid,
      status: r.status,
      signal: r.timedOut ? 'SIGKILL' : r.signal,
      stdout: text(r.stdout),
      stderr: text(r.stderr),
      ...(r.timedOut ? { error: Object.assign(new Error(`spawnSync ${file} ETIMEDOUT`), { code: 'ETIMEDOUT' }) } : {}),
    };
  } catch (e) {
    // node reports a file it could not execute as `error`, not a throw.
    return { pid: 0, status: null, signal: null, stdout: '', stderr: '', error: e as Error };
  }
}
