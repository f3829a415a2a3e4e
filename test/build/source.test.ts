import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTimestamp, dirFingerprint, resolveSource } from '../../src/build/source.ts';
import { exitCodeFor, InputError, UsageError } from '../../src/util/errors.ts';
import { sha256File } from '../../src/util/fs.ts';

let dir: string;
let cache: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-source-'));
  cache = join(dir, 'cache');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A tiny "kernel tarball": one top dir with a Makefile (plus `extra` top-level entries). */
async function tarball(name: string, extra: string[] = []): Promise<string> {
  const src = join(dir, 'src');
  await mkdir(join(src, 'linux-x'), { recursive: true });
  await writeFile(join(src, 'linux-x', 'Makefile'), 'VERSION = 6\n');
  for (const e of extra) await writeFile(join(src, e), '');
  const file = join(dir, name);
  execFileSync('tar', ['-cJf', file, '-C', src, 'linux-x', ...extra]);
  return file;
}

const opts = (source: string, sha256?: string) => ({
  kernel: '6.12' as const,
  source,
  ...(sha256 ? { sha256 } : {}),
  cwd: dir,
  cacheRoot: cache,
  say: () => {},
});

describe('kernel source', () => {
  it('a tarball whose sha256 does not match is refused with exit 2 and nothing unpacked', async () => {
    const file = await tarball('k.tar.xz');
    const err = await resolveSource(opts(file, 'a'.repeat(64))).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(exitCodeFor(err)).toBe(2);
    expect((err as Error).message).toMatch(/sha256 mismatch.*nothing unpacked/);
    expect(await readdir(join(cache, 'sources')).catch(() => [])).toEqual([]);
  });

  it('a user tarball needs --sha256', async () => {
    const file = await tarball('k.tar.xz');
    await expect(resolveSource(opts(file))).rejects.toBeInstanceOf(UsageError);
  });

  it('unpacks once under sources/<sha256>/<top dir> and reuses it', async () => {
    const file = await tarball('k.tar.xz');
    const sha = await sha256File(file);
    const first = await resolveSource(opts(file, sha));
    expect(first).toMatchObject({ kind: 'tarball', sha256: sha, tree: join(cache, 'sources', sha, 'linux-x') });
    const before = (await stat(join(first.tree, 'Makefile'))).ino;
    const again = await resolveSource(opts(file, sha.toUpperCase()));
    expect((await stat(join(again.tree, 'Makefile'))).ino).toBe(before);
    expect(await readdir(join(cache, 'sources'))).toEqual([sha]);
  });

  it('a half-finished unpack (.tmp) is discarded, never reused', async () => {
    const file = await tarball('k.tar.xz');
    const sha = await sha256File(file);
    await mkdir(join(cache, 'sources', `${sha}.tmp`, 'linux-x'), { recursive: true }); // no Makefile: half done
    const s = await resolveSource(opts(file, sha));
    expect((await stat(join(s.tree, 'Makefile'))).isFile()).toBe(true);
    expect(await readdir(join(cache, 'sources'))).toEqual([sha]);
  });

  it('a tarball without a single top-level directory is bad input, and leaves no cache entry', async () => {
    const file = await tarball('k.tar.xz', ['stray-file']);
    const err = await resolveSource(opts(file, await sha256File(file))).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(await readdir(join(cache, 'sources'))).toEqual([]);
  });

  it('a directory is used as-is, keyed by its file listing', async () => {
    const tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(join(tree, 'Makefile'), 'VERSION = 6\n');
    const a = await resolveSource(opts(tree));
    expect(a).toMatchObject({ kind: 'dir', tree, sha256: await dirFingerprint(tree) });
    await writeFile(join(tree, 'Kconfig'), '');
    expect(await dirFingerprint(tree)).not.toBe(a.sha256);
    await expect(resolveSource(opts(tree, 'a'.repeat(64)))).rejects.toBeInstanceOf(UsageError);
  });

  it('the build timestamp is the source date in date(1) C-locale form', async () => {
    const tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(join(tree, 'Makefile'), '');
    const when = new Date('2026-11-14T12:56:01Z');
    await utimes(tree, when, when);
    const s = await resolveSource(opts(tree));
    expect(buildTimestamp(s.date)).toBe('Sat Nov 14 12:56:01 UTC 2026');
    expect(execFileSync('date', ['-u', '-d', buildTimestamp(s.date), '+%s']).toString().trim()).toBe(String(when.getTime() / 1000));
  });
});
