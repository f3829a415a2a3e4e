import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { renderFragment } from '../kconfig/fragment.ts';
import type { Target } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';
import { cacheRoot } from '../util/paths.ts';
import { cacheKey } from './cache.ts';
import { imageFormat } from '../kconfig/kbuild.ts';
import { buildTimestamp, debianTarball, memoSha256 } from './source.ts';
import { resolveToolchain } from './toolchain.ts';

// The build cache key of a policy build, as `build` computes it, without
// building or unpacking anything: a CI planner (`capsem-kernel matrix`) knows
// each job's key before any job runs. The key's inputs are assembled by
// `keyInputs` for both paths, so they cannot drift.

/** What the key covers, in words (matrix --help, docs). */
export const KEY_COVERS =
  'the kernel source tarball\'s sha256, the policy fragment\'s exact text (so any policy change), arch, kernel ' +
  'series, toolchain and the first line of its compiler\'s and linker\'s --version on this machine, the make ' +
  'target, the fixed KBUILD_BUILD_* values (timestamp from the source\'s date) and the build recipe\'s version; ' +
  'not ccache, -j or the host name';

export interface KeyInputs {
  target: Target;
  sourceSha256: string;
  /** The source tree's date (its top directory's mtime): KBUILD_BUILD_TIMESTAMP. */
  sourceDate: Date;
  toolchainBanner: string;
  fragment: string;
}

/** The reproducible build values and the cache key for a build's inputs (prepare() and buildKey() both use this). */
export function keyInputs(i: KeyInputs): { key: string; reproducible: { timestamp: string; user: string; host: string; version: string } } {
  const reproducible = { timestamp: buildTimestamp(i.sourceDate), user: 'capsem', host: 'capsem', version: '1' };
  const key = cacheKey({
    sourceSha256: i.sourceSha256,
    fragment: i.fragment,
    arch: i.target.arch,
    kernel: i.target.kernel,
    toolchain: i.target.toolchain,
    toolchainBanner: i.toolchainBanner,
    makeTarget: imageFormat(i.target.arch),
    reproducible,
  });
  return { key, reproducible };
}

export interface KeyOnlyOptions {
  target: Target;
  env?: NodeJS.ProcessEnv;
  say?: (m: string) => void;
  signal?: AbortSignal;
}

/**
 * The key `capsem-kernel build --arch A --kernel V --toolchain T` (Debian's
 * source, the policy's fragment) will have on this machine. The tarball is
 * hashed (memoised, as the build does) but not unpacked: its date comes from
 * the unpacked tree when the cache has it, else from the tarball's first entry.
 */
export async function buildKey(opts: KeyOnlyOptions): Promise<{ key: string; sourceSha256: string; toolchainBanner: string }> {
  const root = cacheRoot(opts.env ?? process.env);
  const say = opts.say ?? (() => {});
  const tarball = await debianTarball(opts.target.kernel, root, say, opts.signal);
  const sourceSha256 = await memoSha256(tarball, root);
  const sourceDate = await sourceDateOf(tarball, join(root, 'sources', sourceSha256));
  const toolchain = await resolveToolchain(opts.target.arch, opts.target.toolchain, { useCcache: false, say, ...(opts.signal ? { signal: opts.signal } : {}) });
  const { key } = keyInputs({ target: opts.target, sourceSha256, sourceDate, toolchainBanner: toolchain.banner, fragment: renderFragment(opts.target) });
  return { key, sourceSha256, toolchainBanner: toolchain.banner };
}

/** The unpacked tree's mtime when the cache holds it (what the build reads), else the tarball's top directory entry's. */
async function sourceDateOf(tarball: string, unpacked: string): Promise<Date> {
  const top = await readdir(unpacked).catch(() => undefined);
  if (top?.length === 1) return (await stat(join(unpacked, top[0]!))).mtime;
  return tarballTopDate(tarball);
}

/** `tar --utc --full-time -tvf`'s first line (the top directory): only the archive's head is decompressed. */
export async function tarballTopDate(tarball: string): Promise<Date> {
  const first = await new Promise<string>((ok, fail) => {
    const child = spawn('tar', ['--utc', '--full-time', '-tvf', tarball], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.kill();
    });
    child.on('error', (e) => fail(new InputError(tarball, `cannot list: ${e.message}`)));
    child.on('close', () => ok(out.split('\n')[0]!));
  });
  // drwxr-xr-x 0/0  0 2026-11-14 12:56:01 linux-source-6.12/
  const m = /^d\S+\s+\S+\s+\d+\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.\d+)?\s+[^/\s]+\/$/.exec(first);
  if (!m) throw new InputError(tarball, `first entry is not the top directory: ${first.slice(0, 80) || '(empty listing)'}`);
  return new Date(`${m[1]}T${m[2]}Z`);
}
