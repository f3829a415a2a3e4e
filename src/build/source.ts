import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KernelVersion } from '../policy/index.ts';
import { InputError, InterruptedError, UsageError } from '../util/errors.ts';
import { acquireLock, sha256File, writeFileAtomic } from '../util/fs.ts';
import { ensurePackages, tryCapture } from './host.ts';

// Where the kernel source comes from: Debian's linux-source-<v> tarball by
// default, a user tarball (verified against --sha256 before anything is
// unpacked) or a directory used as-is. Tarballs are unpacked once under
// <cache>/sources/<sha256 of the tarball>/<top dir>; an unpack happens in a
// .tmp directory renamed into place when complete, so a half-finished one is
// never reused.

export interface KernelSource {
  kind: 'tarball' | 'dir';
  /** The tarball or directory as given (absolute). */
  path: string;
  /** Tarball: sha256 of the file. Directory: sha256 of its file listing (path, size, mtime) — see dirFingerprint. */
  sha256: string;
  /** The unpacked tree (Makefile at its top). Read-only: builds are out-of-tree. */
  tree: string;
  /** The source's date, for KBUILD_BUILD_TIMESTAMP: the tree root's mtime (from the tarball, so stable). */
  date: Date;
}

export function debianTarball(kernel: KernelVersion): string {
  return `/usr/src/linux-source-${kernel}.tar.xz`;
}

/**
 * A directory is keyed by every regular file's relative path, size and mtime
 * (.git excluded): any edit, addition or deletion changes it. GNU find lists
 * the ~87k files of a kernel tree in about a second (a Node walk takes ten).
 */
export async function dirFingerprint(dir: string): Promise<string> {
  const listing = await tryCapture('find', [dir, '-name', '.git', '-prune', '-o', '-type', 'f', '-printf', '%P\\0%s\\0%T@\\n']);
  if (listing === undefined) throw new InputError(dir, 'cannot list the directory');
  return createHash('sha256').update(listing.split('\n').sort().join('\n')).digest('hex');
}

/** sha256 of a Debian tarball, memoised by (path, size, mtime, inode): re-hashing 150 MB costs a second. */
async function memoSha256(file: string, cacheRoot: string): Promise<string> {
  const s = await stat(file);
  const id = `${file}|${s.size}|${s.mtimeMs}|${s.ino}`;
  const memoPath = join(cacheRoot, 'sources', 'hashes.json');
  const memo = JSON.parse(await readFile(memoPath, 'utf8').catch(() => '{}')) as Record<string, string>;
  if (memo[id]) return memo[id];
  memo[id] = await sha256File(file);
  await writeFileAtomic(memoPath, JSON.stringify(memo, null, 2) + '\n');
  return memo[id];
}

async function untar(tarball: string, dest: string, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const child = spawn('tar', ['-xf', tarball, '-C', dest, '--no-same-owner'], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1000)));
    child.on('error', (e) => fail(signal?.aborted ? new InterruptedError('interrupted while unpacking') : e));
    child.on('close', (code) =>
      code === 0 ? ok() : fail(signal?.aborted ? new InterruptedError('interrupted while unpacking') : new InputError(tarball, `tar failed: ${err.trim()}`)),
    );
  });
}

async function singleTopDir(dir: string, tarball: string): Promise<string> {
  const top = await readdir(dir, { withFileTypes: true });
  const dirs = top.filter((d) => d.isDirectory());
  if (dirs.length !== 1 || top.length !== 1) {
    throw new InputError(tarball, 'expected one top-level directory holding the kernel tree');
  }
  return dirs[0]!.name;
}

async function unpackOnce(tarball: string, sha: string, cacheRoot: string, say: (m: string) => void, signal?: AbortSignal): Promise<string> {
  const root = join(cacheRoot, 'sources', sha);
  const done = await readdir(root).catch(() => undefined);
  if (done) return join(root, await singleTopDir(root, tarball));
  const release = await acquireLock(`${root}.lock`, `the source unpack of ${tarball}`);
  try {
    // Another process may have finished between our check and taking the lock.
    if (await readdir(root).catch(() => undefined)) return join(root, await singleTopDir(root, tarball));
    const tmp = `${root}.tmp`;
    await rm(tmp, { recursive: true, force: true }); // a half-finished unpack from an interrupted run
    await mkdir(tmp, { recursive: true });
    say(`unpacking ${tarball} (once; ~20 s)`);
    try {
      await untar(tarball, tmp, signal);
      const top = await singleTopDir(tmp, tarball);
      await rename(tmp, root);
      return join(root, top);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  } finally {
    await release();
  }
}

export async function resolveSource(opts: {
  kernel: KernelVersion;
  source?: string;
  sha256?: string;
  cwd: string;
  cacheRoot: string;
  say: (m: string) => void;
  signal?: AbortSignal;
}): Promise<KernelSource> {
  const expected = opts.sha256?.toLowerCase();
  let path: string;
  if (opts.source === undefined) {
    path = debianTarball(opts.kernel);
    if (!(await stat(path).catch(() => undefined))) {
      await ensurePackages([`linux-source-${opts.kernel}`], `the Linux ${opts.kernel} source`, opts.say, opts.signal);
    }
  } else {
    path = resolve(opts.cwd, opts.source);
  }
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new InputError(path, opts.source === undefined ? 'missing after installing the package' : 'no such file or directory');

  if (st.isDirectory()) {
    if (expected !== undefined) throw new UsageError('build: --sha256 applies to a tarball, not a directory');
    if (!(await stat(join(path, 'Makefile')).catch(() => undefined))) throw new InputError(path, 'not a kernel tree (no Makefile)');
    opts.say(`fingerprinting ${path}`);
    return { kind: 'dir', path, sha256: await dirFingerprint(path), tree: path, date: st.mtime };
  }
  if (opts.source !== undefined && expected === undefined) {
    throw new UsageError('build: --source TARBALL needs --sha256 HEX (it is verified before unpacking)');
  }
  // A user tarball is hashed afresh; Debian's (dpkg-managed) may use the memo.
  const actual = expected === undefined ? await memoSha256(path, opts.cacheRoot) : await sha256File(path);
  if (expected !== undefined && actual !== expected) {
    throw new InputError(path, `sha256 mismatch: expected ${expected}, got ${actual}; nothing unpacked`);
  }
  const tree = await unpackOnce(path, actual, opts.cacheRoot, opts.say, opts.signal);
  return { kind: 'tarball', path, sha256: actual, tree, date: (await stat(tree)).mtime };
}

/** KBUILD_BUILD_TIMESTAMP in `date`'s C-locale format, which the kernel's scripts parse with date -d. */
export function buildTimestamp(date: Date): string {
  const [wd, d, mon, y, time] = date.toUTCString().replace(',', '').split(' ');
  return `${wd} ${mon} ${d} ${time} UTC ${y}`;
}
