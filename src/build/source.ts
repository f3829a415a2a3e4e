import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isKernelVersion, KERNELS, type KernelSeries, type KernelVersion } from '../policy/index.ts';
import { EnvironmentError, InputError, InterruptedError, UsageError } from '../util/errors.ts';
import { cachedEntry, withLock } from '../util/cache.ts';
import { sha256File, writeFileAtomic } from '../util/fs.ts';
import { ensurePackages, tryCapture } from './host.ts';
import { DEBIAN_KEYRING, privateAptOptions } from '../util/apt.ts';

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

/**
 * Series newer than the host's own Debian suite: fetched from a newer suite
 * through a private apt state (its own lists, sources and cache; the host's apt
 * sources are never touched), pinned by package version. apt verifies the
 * suite's signed InRelease and the .deb against it; the tarball inside is
 * checked against the sha256 pinned here before it is kept.
 */
export const NEWER_SUITE_SOURCES: Partial<Record<KernelVersion, { suite: string; version: string; sha256: string }>> = {
  '7.3': {
    suite: 'trixie-backports',
    version: '7.3.4-1~bpo13+1',
    sha256: '76df1affb19f24926949369be1d74b60071c963c598ce8780bddd4bbf0fc3bc4',
  },
};

const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** Debian's linux-source-<kernel> tarball: installed from the host's suite, or fetched from a newer one. */
export async function debianTarball(kernel: KernelSeries, cacheRoot: string, say: (m: string) => void, signal?: AbortSignal): Promise<string> {
  if (!isKernelVersion(kernel)) {
    throw new UsageError(
      `build: no Debian source is pinned for Linux ${kernel} (only for ${KERNELS.join(', ')}): pass --source TARBALL --sha256 HEX, or --source DIR`,
    );
  }
  const pin = NEWER_SUITE_SOURCES[kernel];
  if (pin) return await fetchFromSuite(kernel, pin, cacheRoot, say, signal);
  const path = `/usr/src/linux-source-${kernel}.tar.xz`;
  if (!(await stat(path).catch(() => undefined))) {
    await ensurePackages([`linux-source-${kernel}`], `the Linux ${kernel} source`, say, signal);
  }
  return path;
}

async function fetchFromSuite(
  kernel: KernelVersion,
  pin: { suite: string; version: string; sha256: string },
  cacheRoot: string,
  say: (m: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const pkg = `linux-source-${kernel}`;
  const root = join(cacheRoot, 'apt', pin.suite);
  const tarball = join(root, 'tarballs', `${pkg}_${pin.version}.tar.xz`);
  // Checked on every use, not only when fetched (memoised: a second per change, not per build).
  const valid = async () => (await stat(tarball).catch(() => undefined)) !== undefined && (await memoSha256(tarball, cacheRoot)) === pin.sha256;
  if (await valid()) return tarball;
  const locking = { what: `fetching ${pkg} ${pin.version} into ${root}`, say, ...(signal ? { signal } : {}) };
  return await withLock(join(root, 'lock'), locking, async () => {
    if (await valid()) return tarball;
    for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d', 'debs', 'tarballs']) {
      await mkdir(join(root, d), { recursive: true });
    }
    await writeFile(join(root, 'sources.list'), `deb [signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} ${pin.suite} main\n`);
    const apt = privateAptOptions(root, { preferences: true });
    const debs = join(root, 'debs');
    const wanted = `${pkg}=${pin.version} from ${pin.suite}`;
    const step = { what: `fetching ${wanted}`, failed: (detail: string) => new EnvironmentError(`could not fetch ${wanted}: ${detail}`), signal };
    say(`fetching ${wanted} with apt-get (private apt state ${root}; ~170 MB, once)`);
    await run('apt-get', [...apt, '-q', 'update'], step);
    await rm(debs, { recursive: true, force: true });
    await mkdir(debs);
    await run('apt-get', [...apt, '-q', 'download', `${pkg}=${pin.version}`], { ...step, cwd: debs });
    const deb = (await readdir(debs)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('_all.deb'));
    if (!deb) throw new EnvironmentError(`apt-get download ${wanted} left no .deb in ${debs}`);
    const unpacked = join(debs, 'unpacked');
    await run('dpkg-deb', ['-x', join(debs, deb), unpacked], step);
    const inside = join(unpacked, 'usr/src', `${pkg}.tar.xz`);
    const actual = await sha256File(inside).catch(() => undefined);
    if (actual !== pin.sha256) {
      throw new EnvironmentError(`${deb}: usr/src/${pkg}.tar.xz has sha256 ${actual ?? '(missing)'}, not the pinned ${pin.sha256}`);
    }
    await rename(inside, tarball);
    await rm(debs, { recursive: true, force: true }); // apt verified it; the tarball is what we keep
    say(`${pkg} ${pin.version}: sha256 ${actual}`);
    return tarball;
  });
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
export async function memoSha256(file: string, cacheRoot: string): Promise<string> {
  const s = await stat(file);
  const id = `${file}|${s.size}|${s.mtimeMs}|${s.ino}`;
  const memoPath = join(cacheRoot, 'sources', 'hashes.json');
  const memo = JSON.parse(await readFile(memoPath, 'utf8').catch(() => '{}')) as Record<string, string>;
  if (memo[id]) return memo[id];
  memo[id] = await sha256File(file);
  await writeFileAtomic(memoPath, JSON.stringify(memo, null, 2) + '\n');
  return memo[id];
}

/** Runs a tool to completion; Ctrl-C stops it (InterruptedError); `failed` turns the tail of its stderr into the error. */
async function run(
  cmd: string,
  args: string[],
  opts: { what: string; failed: (detail: string) => Error; cwd?: string; signal?: AbortSignal },
): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'ignore', 'pipe'], signal: opts.signal });
    let err = '';
    const interrupted = () => new InterruptedError(`interrupted while ${opts.what}`);
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1000)));
    child.on('error', (e) => fail(opts.signal?.aborted ? interrupted() : opts.failed(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? ok() : fail(opts.signal?.aborted ? interrupted() : opts.failed(`${cmd} failed: ${err.trim()}`))));
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
  const { value } = await cachedEntry({
    dir: join(cacheRoot, 'sources', sha),
    what: `unpacking ${tarball}`,
    say,
    ...(signal ? { signal } : {}),
    reuse: async (dir) => ((await readdir(dir).catch(() => undefined)) ? join(dir, await singleTopDir(dir, tarball)) : undefined),
    make: async (tmp) => {
      say(`unpacking ${tarball} (once; ~20 s)`);
      await run('tar', ['-xf', tarball, '-C', tmp, '--no-same-owner'], {
        what: 'unpacking',
        failed: (detail) => new InputError(tarball, detail),
        signal,
      });
      return join(cacheRoot, 'sources', sha, await singleTopDir(tmp, tarball));
    },
  });
  return value;
}

export async function resolveSource(opts: {
  kernel: KernelSeries;
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
    path = await debianTarball(opts.kernel, opts.cacheRoot, opts.say, opts.signal);
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
