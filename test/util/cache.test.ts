// The one cache-entry helper (src/util/cache.ts) on a temp cache root: the lock
// waits for a live holder (another real process) and takes over a dead one's,
// an entry appears only complete, a failed make leaves nothing, a changed file
// is refused, and list/prune see the layout and skip what a live process holds.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedEntry, fileEntry, listEntries, lock, pruneEntries, verifyFiles, withLock } from '../../src/util/cache.ts';
import { InterruptedError } from '../../src/util/errors.ts';
import { sha256 } from '../../src/util/fs.ts';

const scratch = mkdtempSync(join(tmpdir(), 'capsem-cache-helper-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(scratch, `case-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A real process that stands in for another run holding a lock (its pid in the lock file, as an older run writes it). */
function holder(lockPath: string) {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  writeFileSync(lockPath, `${child.pid}\n`);
  return { pid: child.pid!, stop: () => new Promise<void>((ok) => (child.kill('SIGKILL'), child.on('exit', () => ok()))) };
}

/** A pid that no longer runs. */
const deadPid = () => spawnSync('true').pid;

describe('lock', () => {
  it('waits for a live holder, saying so once, and takes the lock when it is gone', async () => {
    const path = join(fresh(), 'e.lock');
    const other = holder(path);
    const said: string[] = [];
    let saidIt!: () => void;
    const waiting = new Promise<void>((ok) => (saidIt = ok));
    let taken = false;
    const taking = lock(path, { what: 'building the thing', say: (m) => (said.push(m), saidIt()) }).then((release) => {
      taken = true;
      return release;
    });
    await waiting;
    expect(taken).toBe(false); // not while the holder lives
    await other.stop();
    const release = await taking;
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await release();
    expect(said).toEqual([`waiting for process ${other.pid} to finish building the thing (lock ${path})`]);
  });

  it('takes over a dead holder\'s lock without waiting, and releases only its own', async () => {
    const path = join(fresh(), 'e.lock');
    writeFileSync(path, `${deadPid()} 1 stale\n`);
    const said: string[] = [];
    const release = await lock(path, { what: 'x', say: (m) => said.push(m) });
    expect(said).toEqual([]);
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+ `));
    await release();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(path, '..'))).toEqual([]); // no temp or stale files left
  });

  // Session 8's cold run hung on this: two concurrent tests of one worker shared the attempt's temp
  // file, the lock got the other's text, and the taker's release left it held by a live pid forever.
  it('attempts of one process at once take turns, and each releases', async () => {
    const path = join(fresh(), 'e.lock');
    let inside = 0;
    let most = 0;
    const work = () =>
      withLock(path, { what: 'x', say: () => {} }, async () => {
        most = Math.max(most, ++inside);
        await new Promise((ok) => setTimeout(ok, 20));
        inside--;
      });
    await Promise.all(Array.from({ length: 8 }, work));
    expect(most).toBe(1);
    expect(readdirSync(join(path, '..'))).toEqual([]); // released, no temp files left
  }, 60_000);

  it('a wait is interrupted by the abort signal', async () => {
    const path = join(fresh(), 'e.lock');
    const other = holder(path);
    const ac = new AbortController();
    const err = await lock(path, { what: 'unpacking t.tar', say: () => ac.abort(), signal: ac.signal }).catch((e) => e);
    await other.stop();
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toBe('interrupted while waiting for another process to finish unpacking t.tar');
    expect(readFileSync(path, 'utf8')).toBe(`${other.pid}\n`); // the holder's lock is not ours to remove
  });
});

describe('cachedEntry', () => {
  it('makes the entry in a temp dir renamed into place, then serves it', async () => {
    const dir = join(fresh(), 'entry');
    let made = 0;
    const opts = {
      dir,
      what: 'making it',
      reuse: async (d: string) => (existsSync(join(d, 'f')) ? readFileSync(join(d, 'f'), 'utf8') : undefined),
      make: async (tmp: string) => {
        made++;
        expect(tmp).toBe(`${dir}.tmp-${process.pid}`);
        writeFileSync(join(tmp, 'f'), 'content');
        return 'content';
      },
    };
    expect(await cachedEntry(opts)).toEqual({ value: 'content', cached: false });
    expect(await cachedEntry(opts)).toEqual({ value: 'content', cached: true });
    expect(made).toBe(1);
    expect(readdirSync(join(dir, '..'))).toEqual(['entry']);
  });

  it('a failed make leaves no entry, no temp dir and no lock; a full disk is one line naming the entry', async () => {
    const root = fresh();
    const dir = join(root, 'entry');
    const fail = (e: Error): Promise<Error> =>
      cachedEntry<never>({
        dir,
        what: 'unpacking t.tar',
        reuse: async () => undefined,
        make: async (tmp) => {
          writeFileSync(join(tmp, 'half'), 'x');
          throw e;
        },
      }).then(() => new Error('made'), (x: Error) => x);
    expect((await fail(new Error('tar failed'))).message).toBe('tar failed');
    expect(readdirSync(root)).toEqual([]);
    const full = await fail(new Error('tar: linux/x.c: Cannot write: No space left on device'));
    expect(full.name).toBe('EnvironmentError');
    expect(full.message).toMatch(new RegExp(`^${dir}: no space left on device while unpacking t.tar; nothing was kept`));
    expect(readdirSync(root)).toEqual([]);
  });

  it('a file entry refuses a changed file, says so and makes it again', async () => {
    const dir = join(fresh(), 'download');
    const said: string[] = [];
    const make = async (tmp: string) => writeFileSync(join(tmp, 'bin'), 'the real bytes');
    const first = await fileEntry(dir, 'bin', { what: 'downloading bin', redo: 'fetching it again', say: (m) => said.push(m), make });
    expect(first).toEqual({ path: join(dir, 'bin'), sha256: sha256('the real bytes') });
    writeFileSync(join(dir, 'bin'), 'tampered bytes');
    const again = await fileEntry(dir, 'bin', { what: 'downloading bin', redo: 'fetching it again', say: (m) => said.push(m), make });
    expect(again).toEqual(first);
    expect(said).toEqual([`cache: ${join(dir, 'bin')} changed since it was cached (sha256 ${sha256('tampered bytes')}, recorded ${first.sha256}); fetching it again`]);
    expect(await verifyFiles([first])).toEqual({ ok: true });
    expect(await verifyFiles([{ path: join(dir, 'gone'), sha256: first.sha256 }])).toEqual({
      ok: false,
      reason: `${join(dir, 'gone')} is missing (sha256 -, recorded ${first.sha256})`,
    });
  });
});

describe('list and prune', () => {
  /** Entries of two kinds, entry-i last used i - 0.5 days ago (entry-1 newest). */
  function layout(root: string, count: number) {
    const now = Date.now();
    for (const kind of ['rootfs', 'builds']) {
      for (let i = 1; i <= count; i++) {
        const d = join(root, kind, `entry-${i}`);
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'data'), Buffer.alloc(8192 * i));
        const t = new Date(now - (i - 0.5) * 86_400_000);
        utimesSync(d, t, t);
      }
    }
    // Not entries: a lock, a half-made entry.
    writeFileSync(join(root, 'rootfs', 'entry-1.lock'), `${deadPid()}\n`);
    mkdirSync(join(root, 'rootfs', 'entry-9.tmp-123'));
  }

  it('lists every entry with kind, key, size and last use, newest first per kind', async () => {
    const root = fresh();
    layout(root, 3);
    const entries = await listEntries(root);
    expect(entries.map((e) => `${e.kind} ${e.key}`)).toEqual([
      'build entry-1', 'build entry-2', 'build entry-3', 'rootfs entry-1', 'rootfs entry-2', 'rootfs entry-3',
    ]);
    for (const e of entries) expect(e.sizeBytes).toBeGreaterThanOrEqual(8192 * Number(e.key.slice(-1)));
    expect(entries[0]!.lockPath).toBe(join(root, 'builds', 'entry-1', '.lock'));
    expect(entries[3]!.lockPath).toBe(join(root, 'rootfs', 'entry-1.lock'));
  });

  it('prunes beyond --keep and older than --older-than, dry run first; skips an entry a live process holds', async () => {
    const root = fresh();
    layout(root, 4);
    const dry = await pruneEntries(root, { keep: 1, olderThanDays: 2, dryRun: true });
    expect(dry.removed.map((e) => `${e.kind} ${e.key}`)).toEqual(['build entry-3', 'build entry-4', 'rootfs entry-3', 'rootfs entry-4']);
    expect((await listEntries(root)).length).toBe(8);

    const other = holder(join(root, 'builds', 'entry-4', '.lock'));
    const t = new Date(Date.now() - 3.5 * 86_400_000); // writing the lock inside made it look used
    utimesSync(join(root, 'builds', 'entry-4'), t, t);
    try {
      const r = await pruneEntries(root, { keep: 1, olderThanDays: 2 });
      expect(r.removed.map((e) => `${e.kind} ${e.key}`)).toEqual(['build entry-3', 'rootfs entry-3', 'rootfs entry-4']);
      expect(r.inUse.map((u) => [u.entry.key, u.pid])).toEqual([['entry-4', other.pid]]);
      expect(r.freedBytes).toBe(r.removed.reduce((s, e) => s + e.sizeBytes, 0));
    } finally {
      await other.stop();
    }
    // (The skipped entry counts as used now: a live run holds it.)
    expect((await listEntries(root)).map((e) => `${e.kind} ${e.key}`).sort()).toEqual([
      'build entry-1', 'build entry-2', 'build entry-4', 'rootfs entry-1', 'rootfs entry-2',
    ]);
    expect(readdirSync(join(root, 'rootfs')).sort()).toEqual(['entry-1', 'entry-1.lock', 'entry-2', 'entry-9.tmp-123']);
  });
});
