// Runs the real CLI against a copy-on-write view of the shared cache: inside a
// private mount namespace (`unshare -m`, we are root) an overlay mounts the
// shared cache read-only as its lower layer at its own path, with a temp dir
// as the upper layer. The CLI sees the cache's real paths (so a cached kernel
// build tree stays valid and a rebuild is make's no-op), every write — a
// tampered byte, a rebuilt entry, a lock — lands in the temp dir, and the
// shared cache is never touched. The namespace, and so the mount, ends with
// the process.
//
// Options: `fresh` folders of the cache are seen empty (a persistent empty
// dir bind-mounted over them: e.g. `sources`, so an unpack really happens);
// `upperBytes` puts the upper layer on a tmpfs of that size (a full disk).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
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

/** Runs that build the node image layout (~100 MiB, with the node download) instead of the default QuickJS one. */
export const NODE_LAYOUT: RunOptions = { env: { CAPSEM_DOCTOR_RUNTIME: 'node' } };

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  onStarted?: (pid: number) => void;
  onStderr?: (text: string) => void;
}

export interface OverlayCache {
  /** The shared cache's path (what the CLI sees, copy-on-write). */
  root: string;
  /** A scratch working directory for the CLI (its out/ lands here). */
  cwd: string;
  /** The CLI in a namespace of its own (which holds exactly its process tree). */
  run(args: string[], opts?: RunOptions): Promise<Run>;
  /** A shell script in a namespace of its own, seeing the same view ($1 is the cache root). */
  shell(script: string): string;
  /** One namespace for several runs at once (they see one cache, live): a holder process keeps it. */
  together(): Promise<{ run(args: string[], opts?: RunOptions): Promise<Run>; dispose(): void }>;
  /** Where a `fresh` folder's contents really are (outside the namespace). */
  freshDir(sub: string): string;
  /** Files the runs wrote (paths relative to the cache root): the upper layer and the fresh folders. */
  upperFiles(): string[];
  /** Flips one byte of a cache file as the CLI will see it (in the upper layer). */
  flipByte(path: string, at?: number): void;
  /** A cache file as the CLI sees it: the upper layer's copy when there is one. */
  read(path: string): Buffer;
  dispose(): Promise<void>;
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function collect(child: ChildProcess, opts: RunOptions): Promise<Run> {
  opts.onStarted?.(child.pid!); // unshare/nsenter and sh exec: this pid becomes the CLI's
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    opts.onStderr?.(d.toString());
  });
  return new Promise((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr })));
}

/**
 * The CLI against the shared cache itself (no view), in a scratch cwd: what a faults test needs cached is made
 * here first, where the rest of the suite reuses it, instead of inside a view that is thrown away (on a fresh
 * machine that compiled the default kernel twice). Fails the test when the run fails.
 */
export async function inSharedCache(args: string[], opts: RunOptions = {}): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), 'capsem-faults-shared-'));
  try {
    const r = await collect(spawn('node', [BIN, ...args], { cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }), {});
    if (r.code !== 0) throw new Error(`capsem-kernel ${args.join(' ')} (shared cache) exited ${r.code ?? r.signal}:\n${r.stderr.slice(-2000)}`);
    return r;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export function overlayCache(options: { fresh?: readonly string[]; upperBytes?: number } = {}): OverlayCache {
  const root = cacheRoot();
  const base = mkdtempSync(join(tmpdir(), 'capsem-faults-'));
  const layer = join(base, 'layer');
  mkdirSync(layer);
  if (options.upperBytes) execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.upperBytes}`, 'capsem-faults-full', layer]);
  const upper = join(layer, 'upper');
  const work = join(layer, 'work');
  const cwd = join(base, 'cwd');
  const fresh = (options.fresh ?? []).map((sub) => ({ sub, dir: join(base, 'fresh', sub) }));
  for (const d of [upper, work, cwd, ...fresh.map((f) => f.dir)]) mkdirSync(d, { recursive: true });
  const mounts = [
    `mount -t overlay capsem-faults -o ${sq(`lowerdir=${root},upperdir=${upper},workdir=${work}`)} ${sq(root)}`,
    ...fresh.map((f) => `mkdir -p ${sq(join(root, f.sub))} && mount --bind ${sq(f.dir)} ${sq(join(root, f.sub))}`),
  ].join(' && ');
  const inUpper = (path: string) => join(upper, relative(root, path));
  const read = (path: string) => readFileSync(existsSync(inUpper(path)) ? inUpper(path) : path);
  const env = (opts: RunOptions) => ({ ...process.env, CAPSEM_CACHE_DIR: root, ...opts.env });
  const spawnCli = (prefix: string[], args: string[], opts: RunOptions) =>
    spawn(prefix[0]!, [...prefix.slice(1), 'node', BIN, ...args], { cwd, env: env(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  const isolated = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${mounts} && exec "$@"`, 'sh'];
  return {
    root,
    cwd,
    read,
    run: (args, opts = {}) => collect(spawnCli(isolated, args, opts), opts),
    shell: (script) =>
      execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && ${script}`, 'sh', root], { encoding: 'utf8' }),
    async together() {
      const holder = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && echo ready && exec sleep 3600`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((ok, fail) => {
        holder.stdout.once('data', () => ok());
        holder.once('exit', (code) => fail(new Error(`the namespace holder exited (${code})`)));
      });
      // --wd: entering a mount namespace moves the process to its root; the CLI must run in `cwd`.
      const enter = ['nsenter', '-t', String(holder.pid), '-m', `--wd=${cwd}`, '--'];
      return {
        run: (args, opts = {}) => collect(spawnCli(enter, args, opts), opts),
        dispose: () => holder.kill('SIGKILL'),
      };
    },
    flipByte(path, at = 4096) {
      const data = Buffer.from(read(path));
      data[at % data.length] = data[at % data.length]! ^ 0xff;
      mkdirSync(dirname(inUpper(path)), { recursive: true });
      writeFileSync(inUpper(path), data);
    },
    freshDir: (sub) => fresh.find((f) => f.sub === sub)!.dir,
    upperFiles: () => [
      // Not the whiteouts (character devices) that stand for files removed in the view.
      ...readdirSync(upper, { recursive: true, withFileTypes: true })
        .filter((d) => !d.isCharacterDevice())
        .map((d) => relative(upper, join(d.parentPath, d.name))),
      ...fresh.flatMap((f) => readdirSync(f.dir, { recursive: true, encoding: 'utf8' }).map((p) => join(f.sub, p))),
    ],
    // Async: a kernel tree takes minutes to delete on a loaded machine, and must not block the test worker.
    dispose: async () => {
      if (options.upperBytes) execFileSync('umount', ['-l', layer]);
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Every process whose mount namespace is `ns` ("pid exe"): a run in a namespace of its own is exactly its process tree. */
export function processesIn(ns: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/mnt`) === ns) out.push(`${pid} ${readlinkSync(`/proc/${pid}/exe`)}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');
