import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { link, mkdir, readFile, readdir, rename, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError, InterruptedError } from './errors.ts';
import { sha256, sha256File, writeFileAtomic } from './fs.ts';

// One discipline for every cache entry under the cache root (kernel builds,
// source trees, rootfs images, guest downloads, the doctor's probe): an entry
// is a directory named by a hash of its inputs, made under a lock in a temp
// directory beside it and renamed into place when complete (so a half-made
// entry is never found), and checked against the sha256 recorded when it was
// made before it is served. A run that finds the entry locked by a live
// process waits for it (and then usually finds a cache hit); a lock whose
// holder is dead is taken over. Paths come from the caller: nothing here reads
// the environment.

export type Release = () => Promise<void>;

export interface LockOptions {
  /** What the holder is doing, for the wait message: "unpacking linux-source-6.12.tar.xz". */
  what: string;
  say?: (message: string) => void;
  signal?: AbortSignal;
}

const POLL_MS = 500;

/** A process's start time (clock ticks since boot, /proc/<pid>/stat field 22): a pid plus this names one process, even after pid reuse. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder named by a lock file's text ("<pid> <start time> <token>"; older locks hold only the pid) is still running. */
function holderAlive(text: string): boolean {
  const [pidText, started] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = startTime(pid);
  if (now !== undefined) return started === undefined || started === '-' || started === now;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      ok();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Removes a stale lock, unless another process replaced it meanwhile: the lock
 * is moved aside and checked, and put back (without overwriting) if it is not
 * the one found dead.
 */
async function takeOver(path: string, stale: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    await rename(path, aside);
  } catch {
    return; // already gone: someone else took it over
  }
  if ((await readFile(aside, 'utf8').catch(() => stale)) !== stale) await link(aside, path).catch(() => {});
  await rm(aside, { force: true });
}

/** One try at the lock: the release function, or the text of the live holder's lock. */
async function attempt(path: string, mine: string): Promise<Release | string> {
  for (;;) {
    // One temp file per attempt, not per process: two attempts of one process at once (two
    // concurrent tests in a worker) shared one, so the lock could be linked in with the other's
    // text, and the taker's release, not finding its own text, left it held by a live pid forever.
    const tmp = `${path}.new-${process.pid}-${randomUUID().slice(0, 8)}`;
    await writeFile(tmp, mine);
    const took = await link(tmp, path)
      .then(() => true, (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false;
        throw e;
      })
      .finally(() => rm(tmp, { force: true }));
    if (took) {
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => undefined)) === mine) await rm(path, { force: true });
      };
    }
    const held = await readFile(path, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // released in between
    if (holderAlive(held)) return held;
    await takeOver(path, held);
  }
}

const lockText = () => `${process.pid} ${startTime(process.pid) ?? '-'} ${randomUUID()}\n`;

/**
 * Where runs say which entries they use: outside the cache (a registry per
 * user in the temp dir), so an entry's folder holds only entries, locks and
 * leftovers. A marker is `<sha256 of the entry's path>.<pid>`, holding the
 * same text as a lock.
 */
const USERS_DIR = join(tmpdir(), `capsem-kernel-in-use-${process.getuid?.() ?? 'user'}`);
const useMarker = (dir: string) => join(USERS_DIR, `${sha256(dir)}.${process.pid}`);
const markers = new Set<string>();

/**
 * Marks the entry at `dir` in use by this process until it exits (a shared
 * hold: any number of runs may use one entry; `cache prune` skips it while a
 * marker's process lives). Removed on exit; a killed run's marker is stale
 * and ignored.
 */
export function markInUse(dir: string): void {
  const path = useMarker(dir);
  if (markers.has(path)) return;
  try {
    mkdirSync(USERS_DIR, { recursive: true });
    writeFileSync(path, lockText());
  } catch {
    return; // no writable temp dir: the run goes on, unprotected from a concurrent prune
  }
  if (markers.size === 0) {
    process.once('exit', () => {
      for (const m of markers) {
        try {
          unlinkSync(m);
        } catch {
          // already gone
        }
      }
    });
  }
  markers.add(path);
}

/** The live processes marking `dir` in use (stale markers are removed). */
async function usersOf(dir: string): Promise<number[]> {
  const prefix = `${sha256(dir)}.`;
  const live: number[] = [];
  for (const f of await readdir(USERS_DIR).catch(() => [] as string[])) {
    if (!f.startsWith(prefix)) continue;
    const path = join(USERS_DIR, f);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    if (holderAlive(text)) live.push(Number(text.split(' ')[0]));
    else await rm(path, { force: true });
  }
  return live;
}

/**
 * An exclusive lock file. While a live process holds it, waits (saying once
 * "waiting for process N to finish <what>"); a dead holder's lock is taken
 * over. The lock appears complete (written to a temp file, then linked into
 * place), so a reader never mistakes a half-written one for a stale one.
 */
export async function lock(path: string, opts: LockOptions): Promise<Release> {
  await mkdir(dirname(path), { recursive: true });
  const mine = lockText();
  let toldPid: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw new InterruptedError(`interrupted while waiting for another process to finish ${opts.what}`);
    const got = await attempt(path, mine);
    if (typeof got !== 'string') return got;
    const pid = got.split(' ')[0]!.trim();
    if (toldPid !== pid) opts.say?.(`waiting for process ${pid} to finish ${opts.what} (lock ${path})`);
    toldPid = pid;
    await sleep(POLL_MS, opts.signal);
  }
}

/** The lock if nobody live holds it; otherwise the holder's pid (for `cache prune`, which skips entries in use). */
export async function tryLock(path: string): Promise<Release | number> {
  await mkdir(dirname(path), { recursive: true });
  const got = await attempt(path, lockText());
  return typeof got === 'string' ? Number(got.split(' ')[0]) : got;
}

export async function withLock<T>(path: string, opts: LockOptions, work: () => Promise<T>): Promise<T> {
  const release = await lock(path, opts);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Each file still has the sha256 recorded when its entry was made; otherwise why not (missing, changed). */
export async function verifyFiles(files: readonly { path: string; sha256: string }[]): Promise<{ ok: true } | { ok: false; reason: string }> {
  for (const f of files) {
    const actual = await sha256File(f.path).catch(() => undefined);
    if (actual === f.sha256) continue;
    return { ok: false, reason: `${f.path} ${actual ? 'changed since it was built' : 'is missing'} (sha256 ${actual ?? '-'}, recorded ${f.sha256})` };
  }
  return { ok: true };
}

/** `<path>.sha256`: the hash a cached file had when it was made, kept beside it. */
const recordOf = (path: string) => `${path}.sha256`;

/** Records `path`'s sha256 beside it, for verifyRecorded. Call once the file is complete. */
export async function recordSha256(path: string): Promise<string> {
  const hash = await sha256File(path);
  await writeFileAtomic(recordOf(path), `${hash}\n`);
  return hash;
}

/** A cached file checked against the hash recorded beside it: its sha256, or why it must not be served. */
export async function verifyRecorded(path: string): Promise<{ ok: true; sha256: string } | { ok: false; reason: string }> {
  const recorded = (await readFile(recordOf(path), 'utf8').catch(() => undefined))?.trim();
  const actual = await sha256File(path).catch(() => undefined);
  if (actual === undefined) return { ok: false, reason: `${path} is missing` };
  if (recorded === undefined) return { ok: false, reason: `${path} has no recorded sha256` };
  if (recorded !== actual) return { ok: false, reason: `${path} changed since it was cached (sha256 ${actual}, recorded ${recorded})` };
  return { ok: true, sha256: actual };
}

/** A cached file that still matches its record; otherwise removed (saying why and `redo`), so the caller makes it again. */
export async function reusableFile(path: string, redo: string, say?: (m: string) => void): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  const check = await verifyRecorded(path);
  if (check.ok) return check.sha256;
  say?.(`cache: ${check.reason}; ${redo}`);
  await rm(path, { force: true });
  return undefined;
}

/**
 * An entry holding one file (a download, a compiled helper), its sha256
 * recorded beside it when made and checked on every reuse. `make` puts it at
 * `file` inside the temp directory; `redo` says what a changed one leads to.
 */
export async function fileEntry(
  dir: string,
  file: string,
  opts: LockOptions & { redo: string; make: (tmp: string) => Promise<void> },
): Promise<{ path: string; sha256: string }> {
  const path = join(dir, file);
  const { value } = await cachedEntry({
    ...opts,
    dir,
    reuse: async (_, recheck) => {
      const sha256 = await reusableFile(path, opts.redo, recheck ? undefined : opts.say);
      return sha256 ? { path, sha256 } : undefined;
    },
    make: async (tmp) => {
      await opts.make(tmp);
      return { path, sha256: await recordSha256(join(tmp, file)) };
    },
  });
  return value;
}

/** Marks an entry used now (its directory's mtime), which `cache list` shows and `cache prune` goes by. */
export async function touchEntry(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => {});
}

/** A full disk anywhere below (ENOSPC, or a tool saying so on stderr). */
export function isNoSpace(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /no space left on device/i.test((e as Error)?.message ?? '');
}

/** Bytes still free where `path` is (its nearest existing parent): a tool may fail on a full disk without saying so. */
export async function freeBytes(path: string): Promise<number> {
  for (let p = path; ; p = dirname(p)) {
    const s = await statfs(p).catch(() => undefined);
    if (s) return s.bavail * s.bsize;
    if (dirname(p) === p) return Infinity;
  }
}

/** The one line for a full disk: the path being written and what was being done. */
export function noSpaceError(path: string, what: string): EnvironmentError {
  return new EnvironmentError(`${path}: no space left on device while ${what}; nothing was kept (free some space: \`capsem-kernel cache prune\`)`);
}

export interface EntryOptions<T> extends LockOptions {
  /** The entry's directory. */
  dir: string;
  /** Default `<dir>.lock`. */
  lockPath?: string;
  /**
   * The entry's value if it may be served (present, and its recorded hashes match); undefined to make it.
   * Asked again under the lock (`recheck`: say nothing twice), as the process waited for may have made it.
   */
  reuse: (dir: string, recheck: boolean) => Promise<T | undefined>;
  /** Fills `tmp` (a fresh directory beside `dir`) and returns the value as it will be at `dir`. */
  make: (tmp: string) => Promise<T>;
}

/**
 * The entry at `dir`: served if `reuse` accepts it, otherwise made under the
 * lock in `<dir>.tmp-<pid>` and renamed into place. Another process making
 * the same entry is waited for, and its result reused. Whatever goes wrong
 * (Ctrl-C, a failed tool, a full disk), the temp directory is removed.
 */
export async function cachedEntry<T>(opts: EntryOptions<T>): Promise<{ value: T; cached: boolean }> {
  // Before the entry is looked at: `cache prune` checks the markers again after moving an entry aside.
  await mkdir(dirname(opts.dir), { recursive: true });
  markInUse(opts.dir);
  const hit = await opts.reuse(opts.dir, false);
  if (hit !== undefined) {
    await touchEntry(opts.dir);
    return { value: hit, cached: true };
  }
  return await withLock(opts.lockPath ?? `${opts.dir}.lock`, opts, async () => {
    const again = await opts.reuse(opts.dir, true);
    if (again !== undefined) return { value: again, cached: true };
    const tmp = `${opts.dir}.tmp-${process.pid}`;
    try {
      await removeLeftovers(opts.dir);
      await mkdir(tmp, { recursive: true });
      const value = await opts.make(tmp);
      await publishDir(tmp, opts.dir);
      return { value, cached: false };
    } catch (e) {
      if (isNoSpace(e) && !opts.signal?.aborted) throw noSpaceError(opts.dir, opts.what);
      throw e;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}

/**
 * What interrupted or killed runs left beside an entry (`<dir>.tmp`, `<dir>.tmp-<pid>`,
 * `<dir>.staging-<pid>`, a prune's `<dir>.pruned-<pid>`): under the entry's lock nobody else is making it, so all of it is garbage.
 */
async function removeLeftovers(dir: string): Promise<void> {
  const name = basename(dir);
  for (const sibling of await readdir(dirname(dir)).catch(() => [] as string[])) {
    if (sibling.startsWith(`${name}.`) && /^\.(tmp|tmp-\d+|staging-\d+|pruned-\d+)$/.test(sibling.slice(name.length))) {
      await rm(join(dirname(dir), sibling), { recursive: true, force: true });
    }
  }
}

/** Replaces `dir` with the finished `tmp` (a rename: readers see the old entry or the new one, never a mix). */
export async function publishDir(tmp: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}


// The layout `cache list` and `cache prune` know: each kind's folder under the
// cache root, and where its entries keep their lock.
const KINDS: readonly { kind: string; dir: string; lockInside?: string; files?: true }[] = [
  { kind: 'build', dir: 'builds', lockInside: '.lock' },
  { kind: 'source', dir: 'sources' },
  { kind: 'rootfs', dir: 'rootfs' },
  { kind: 'download', dir: 'guest/downloads' },
  // The guest's static binaries (src/guest/assets.ts guestBinary) and what they are built from.
  { kind: 'probe', dir: 'guest/probe' },
  { kind: 'init', dir: 'guest/init' },
  { kind: 'doctor-runtime', dir: 'guest/doctor-rt' },
  { kind: 'nolibc', dir: 'guest/nolibc' },
  { kind: 'apt', dir: 'apt', lockInside: 'lock' },
  { kind: 'apt', dir: 'guest/apt', lockInside: 'lock' },
  { kind: 'kconfig', dir: 'kconfig-env' },
  { kind: 'kconfig', dir: 'kconfig-ref' },
  { kind: 'kconfig', dir: 'kconfig-shell', files: true },
];

/** A lock, a temp directory or a lock's own temp file: not an entry. */
const SCRATCH = /\.(lock|tmp|tmp-\d+|staging-\d+|new-\d+|stale-\d+-\w+|pruned-\d+)$/;

export interface CacheEntry {
  kind: string;
  /** The entry's name in its folder (the hash of its inputs, with a readable prefix for some kinds). */
  key: string;
  path: string;
  sizeBytes: number;
  created: Date;
  lastUsed: Date;
  lockPath: string;
}

/** Bytes on disk under each path (`du`: what removing it frees), in one call. */
async function diskUsage(paths: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (paths.length === 0) return sizes;
  const out = await new Promise<string>((ok, fail) => {
    execFile('du', ['-s', '-B1', '--', ...paths], { maxBuffer: 64 << 20 }, (e, stdout) => (e && !stdout ? fail(e) : ok(stdout)));
  });
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) sizes.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return sizes;
}

/** Every entry under the cache root, by kind, newest use first. */
export async function listEntries(root: string): Promise<CacheEntry[]> {
  const found: Omit<CacheEntry, 'sizeBytes'>[] = [];
  for (const k of KINDS) {
    const dir = join(root, k.dir);
    for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (SCRATCH.test(d.name) || !(d.isDirectory() || (k.files && d.isFile()))) continue;
      const path = join(dir, d.name);
      const times = await entryTimes(path).catch(() => undefined);
      if (!times) continue; // removed meanwhile
      found.push({ kind: k.kind, key: d.name, path, ...times, lockPath: k.lockInside ? join(path, k.lockInside) : `${path}.lock` });
    }
  }
  const sizes = await diskUsage(found.map((e) => e.path));
  return found
    .map((e) => ({ ...e, sizeBytes: sizes.get(e.path) ?? 0 }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || b.lastUsed.getTime() - a.lastUsed.getTime());
}

/** When `path` was made (its birth time where the filesystem records one) and last used (its mtime, see touchEntry). */
async function entryTimes(path: string): Promise<{ created: Date; lastUsed: Date }> {
  const s = await stat(path);
  return { created: s.birthtimeMs > 0 ? s.birthtime : s.mtime, lastUsed: s.mtime };
}

export interface PruneOptions {
  /** Remove entries last used more than this many days ago. */
  olderThanDays?: number;
  /** Keep this many most recently used entries of each kind. */
  keep?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface PruneResult {
  removed: CacheEntry[];
  /** Entries that qualified but are in use by a live process, with its pid. */
  inUse: { entry: CacheEntry; pid: number }[];
  kept: number;
  freedBytes: number;
}

/**
 * Removes the entry at `path` (its lock held) unless a live process marks it in
 * use (markInUse): then that process's pid. A run marks before it looks, so
 * the markers are read again once the entry is moved aside: a run that marked
 * in between found nothing or finds it put back. (On a filesystem that cannot
 * rename it — overlayfs, for a lower-layer directory — it is removed in place.)
 */
async function removeUnused(path: string): Promise<number | undefined> {
  const before = await usersOf(path);
  if (before.length > 0) return before[0];
  const aside = `${path}.pruned-${process.pid}`;
  const moved = await rename(path, aside).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'EXDEV') return false;
      throw e;
    },
  );
  const after = moved ? await usersOf(path) : [];
  if (after.length > 0 && (await rename(aside, path).then(() => true, () => false))) return after[0];
  await rm(moved ? aside : path, { recursive: true, force: true });
  return undefined;
}

/**
 * Removes the entries that are both beyond the `keep` newest of their kind and
 * older than `olderThanDays` (whichever is given). An entry is removed under
 * its lock, so one a live run holds is skipped and said.
 */
export async function pruneEntries(root: string, opts: PruneOptions): Promise<PruneResult> {
  const now = (opts.now ?? new Date()).getTime();
  const entries = await listEntries(root);
  const rank = new Map<string, number>();
  const result: PruneResult = { removed: [], inUse: [], kept: 0, freedBytes: 0 };
  for (const e of entries) {
    const n = rank.get(e.kind) ?? 0;
    rank.set(e.kind, n + 1);
    const beyondKeep = opts.keep === undefined || n >= opts.keep;
    const old = opts.olderThanDays === undefined || now - e.lastUsed.getTime() > opts.olderThanDays * 86_400_000;
    if (!beyondKeep || !old) {
      result.kept++;
      continue;
    }
    if (!opts.dryRun) {
      const got = await tryLock(e.lockPath);
      if (typeof got === 'number') {
        result.inUse.push({ entry: e, pid: got });
        continue;
      }
      let user: number | undefined;
      try {
        user = await removeUnused(e.path);
      } finally {
        await got();
      }
      if (user !== undefined) {
        result.inUse.push({ entry: e, pid: user });
        continue;
      }
    }
    result.removed.push(e);
    result.freedBytes += e.sizeBytes;
  }
  return result;
}
