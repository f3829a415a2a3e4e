// Runs the real CLI against a copy-on-write view of the shared cache: inside a
// private mount namespace (`unshare -m`, we are root) an overlay mounts the
// shared cache read-only as its lower layer at its own path, with a temp dir
// as the upper layer. The CLI sees the cache's real paths (so a cached kernel
// build tree stays valid and a rebuild is make's no-op), every write — a
// tampered byte, a rebuilt entry, a lock — lands in the temp dir, and the
// shared cache is never touched. The namespace, and so the mount, ends with
// the process.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { cacheRoot } from '../../src/util/paths.ts';

export const BIN = resolve('bin/capsem-kernel.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface OverlayCache {
  /** The shared cache's path (what the CLI sees, copy-on-write). */
  root: string;
  /** A scratch working directory for the CLI (its out/ lands here). */
  cwd: string;
  run(args: string[], opts?: { env?: NodeJS.ProcessEnv; onStarted?: (pid: number) => void; onStderr?: (text: string) => void }): Promise<Run>;
  /** Files the runs wrote (paths relative to the cache root). */
  upperFiles(): string[];
  /** Flips one byte of a cache file as the CLI will see it (in the upper layer). */
  flipByte(path: string, at?: number): void;
  /** A cache file as the CLI sees it: the upper layer's copy when there is one. */
  read(path: string): Buffer;
  dispose(): void;
}

export function overlayCache(): OverlayCache {
  const root = cacheRoot();
  const base = mkdtempSync(join(tmpdir(), 'capsem-faults-'));
  const upper = join(base, 'upper');
  const work = join(base, 'work');
  const cwd = join(base, 'cwd');
  for (const d of [upper, work, cwd]) mkdirSync(d, { recursive: true });
  const inUpper = (path: string) => join(upper, relative(root, path));
  const read = (path: string) => readFileSync(existsSync(inUpper(path)) ? inUpper(path) : path);
  return {
    root,
    cwd,
    read,
    run(args, opts = {}) {
      const script = 'mount -t overlay capsem-faults -o "lowerdir=$1,upperdir=$2,workdir=$3" "$1" && shift 3 && exec node "$@"';
      const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', root, upper, work, BIN, ...args], {
        cwd,
        env: { ...process.env, CAPSEM_CACHE_DIR: root, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      opts.onStarted?.(child.pid!); // unshare and sh exec: this pid becomes the CLI's
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        opts.onStderr?.(d.toString());
      });
      return new Promise((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr })));
    },
    flipByte(path, at = 4096) {
      const data = Buffer.from(read(path));
      data[at % data.length] = data[at % data.length]! ^ 0xff;
      mkdirSync(dirname(inUpper(path)), { recursive: true });
      writeFileSync(inUpper(path), data);
    },
    upperFiles: () => readdirSync(upper, { recursive: true, encoding: 'utf8' }),
    dispose: () => rmSync(base, { recursive: true, force: true }),
  };
}

export const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');
