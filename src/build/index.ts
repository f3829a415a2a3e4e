import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { InterruptedError } from '../util/errors.ts';
import { freeBytes, isNoSpace, lock, noSpaceError, touchEntry, verifyFiles } from '../util/cache.ts';
import { copyFileAtomic, sha256, sha256File } from '../util/fs.ts';
import { estimateObjects, type CachePaths } from './cache.ts';
import { startCcacheMeter } from './ccache.ts';
import { RELEASE_DIGEST_RECIPE } from '../kconfig/release.ts';
import {
  auditFailures,
  configure,
  prepare,
  type ConfigureOptions,
  type Configured,
  type Prepared,
} from './configure.ts';
import { runMake } from './make.ts';
import { MANIFEST_VERSION, readManifest, writeManifest, type Manifest } from './manifest.ts';

// The build stage's public face: `buildKernel` (used by `capsem-kernel build`
// and `up`) and `configureKernel` (survival check + audit without compiling).

export { AuditFailedError, CasualtiesError, type BuildProgress, type BuildStage, type ConfigureOptions } from './configure.ts';
export { MakeFailedError } from './make.ts';
export { type Manifest, manifestForImage } from './manifest.ts';
export { progressLog } from './progress.ts';
export { releaseDigest } from '../kconfig/release.ts';
export type { Casualty } from './survival.ts';

export interface BuildOptions extends ConfigureOptions {
  /** Default out/<arch> (out/<arch>-unsafe for a test-only kernel), relative to cwd. */
  outDir?: string;
  /** make -j; default: all cores. */
  jobs?: number;
  /** Rebuild even when the cache holds this exact build (incremental in the cached O= tree). */
  force?: boolean;
}

/** The progress total before any clean build's manifest says better (measured on 6.12 + policy: x86_64 956, arm64 837). */
const FIRST_BUILD_OBJECTS = 950;

export interface ConfigureResult {
  arch: Configured['target']['arch'];
  kernelVersion: Configured['target']['kernel'];
  kernelRelease: string;
  source: { kind: 'tarball' | 'dir'; path: string; sha256: string };
  fragmentSha256: string;
  configSha256: string;
  /** The final .config (inside the build cache entry). */
  configPath: string;
  enabledOptions: number;
  survival: { requested: number; casualties: 0 };
  audit: Manifest['audit'];
  unsafe: boolean;
  unsafeReasons: string[];
}

function summarize(c: Configured): Omit<ConfigureResult, 'configPath'> {
  return {
    arch: c.target.arch,
    kernelVersion: c.target.kernel,
    kernelRelease: c.kernelRelease,
    source: { kind: c.source.kind, path: c.source.path, sha256: c.source.sha256 },
    fragmentSha256: sha256(c.fragment),
    configSha256: c.configSha256,
    enabledOptions: [...c.config.values.values()].filter((v) => v === 'y').length,
    survival: { requested: new Set(c.requested.map((r) => r.symbol)).size, casualties: 0 },
    audit: { ...c.audit.summary, failures: auditFailures(c.audit) },
    unsafe: c.unsafeReasons.length > 0,
    unsafeReasons: c.unsafeReasons,
  };
}

/** Whatever a step threw after Ctrl-C (a killed tar or apt-get fails too) is reported as the interruption. */
async function interruptible<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (signal?.aborted && !(e instanceof InterruptedError)) throw new InterruptedError('build: interrupted');
    throw e;
  }
}

/** Configure only: allnoconfig + policy, olddefconfig, survival check, audit. Seconds, no compile. */
export function configureKernel(opts: ConfigureOptions): Promise<ConfigureResult> {
  return interruptible(opts.signal, () => configureOnly(opts));
}

async function configureOnly(opts: ConfigureOptions): Promise<ConfigureResult> {
  const prep = await prepare(opts);
  const release = await lockEntry(prep, opts.signal);
  try {
    const c = await configure(prep, opts);
    return { ...summarize(c), configPath: join(c.paths.obj, '.config') };
  } finally {
    await release();
  }
}

/**
 * The cache entry's lock, waiting while another process builds the same inputs
 * (e.g. two test files asking for the same kernel): when it finishes, we get a cache hit.
 */
function lockEntry(prep: Prepared, signal?: AbortSignal): Promise<() => Promise<void>> {
  return lock(prep.paths.lock, {
    what: `building the kernel cache entry ${prep.paths.root}`,
    say: (m) => prep.progress('cache', m),
    ...(signal ? { signal } : {}),
  });
}

/**
 * A cached build whose image and final .config are still what its manifest
 * recorded; undefined otherwise. A changed entry is never served: `say` tells
 * which file changed, and the caller rebuilds it.
 */
async function cachedBuild(paths: CachePaths, say: (m: string) => void = () => {}): Promise<Manifest | undefined> {
  const m = await readManifest(paths.manifest);
  if (!m) return undefined;
  const check = await verifyFiles([{ path: m.image.path, sha256: m.image.sha256 }, { path: m.files.config, sha256: m.configSha256 }]);
  if (!check.ok) {
    say(`cache entry ${paths.root}: ${check.reason}; rebuilding`);
    return undefined;
  }
  await touchEntry(paths.root);
  return m;
}

/** Copies a finished build into the output dir; the manifest goes last. */
async function publish(m: Manifest, outDir: string, cached: boolean): Promise<Manifest> {
  await mkdir(outDir, { recursive: true });
  const out = {
    image: join(outDir, m.image.format),
    config: join(outDir, 'config'),
    fragment: join(outDir, 'fragment.config'),
    makeLog: join(outDir, 'make.log'),
  };
  await copyFileAtomic(m.image.path, out.image);
  await copyFileAtomic(m.files.config, out.config);
  await copyFileAtomic(m.files.fragment, out.fragment);
  await copyFileAtomic(m.files.makeLog, out.makeLog);
  const published: Manifest = {
    ...m,
    image: { ...m.image, path: out.image },
    files: { config: out.config, fragment: out.fragment, makeLog: out.makeLog },
    cached,
  };
  await writeManifest(join(outDir, 'manifest.json'), published);
  return published;
}

async function compile(c: Configured, opts: BuildOptions): Promise<Manifest> {
  const { paths, target } = c;
  const { format, path: imagePath } = c.toolchain.kbuild.image;
  const total = (await estimateObjects(c.cacheRoot, target.arch, target.kernel)) ?? FIRST_BUILD_OBJECTS;
  const meter = c.toolchain.ccache ? await startCcacheMeter(c.makeEnv, paths.ccacheLog) : undefined;
  const jobs = opts.jobs ?? availableParallelism();
  const incremental = await stat(join(paths.obj, 'init', 'main.o')).then(() => true, () => false);
  let compiled = 0;
  let lastReport = 0;
  c.progress('compile', `make -j${jobs} ${format}`, { done: 0, total });
  const compileStart = Date.now();
  await runMake({
    args: [...c.makeArgs, `-j${jobs}`, format],
    env: { ...c.makeEnv, ...meter?.env },
    logPath: paths.makeLog,
    what: `make ${format}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onLine(line) {
      const m = /^\s+(CC|AS)\s+(\S+)/.exec(line);
      if (!m) return;
      compiled++;
      if (Date.now() - lastReport < 250) return;
      lastReport = Date.now();
      c.progress('compile', m[2]!, { done: compiled, total: Math.max(total, compiled) });
    },
  });
  const buildSeconds = Math.round((Date.now() - compileStart) / 100) / 10;
  const ccache = meter ? await meter.finish() : undefined;

  c.progress('artifacts', `copying ${format} into the cache`);
  const built = join(paths.obj, imagePath);
  await copyFileAtomic(built, paths.image);
  await copyFileAtomic(join(paths.obj, '.config'), paths.config);
  const kernelRelease = (await readFile(join(paths.obj, 'include', 'config', 'kernel.release'), 'utf8').catch(() => c.kernelRelease)).trim();
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    ...summarize(c),
    kernelRelease,
    releaseDigest: { digest: c.releaseDigest, recipe: RELEASE_DIGEST_RECIPE },
    image: { path: paths.image, sizeBytes: (await stat(paths.image)).size, sha256: await sha256File(paths.image), format },
    files: { config: paths.config, fragment: paths.fragment, makeLog: paths.makeLog },
    toolchain: { name: c.toolchain.name, version: c.toolchain.version, banner: c.toolchain.banner },
    reproducible: c.reproducible,
    buildSeconds,
    incremental,
    objectsCompiled: compiled,
    cached: false,
    cacheKey: c.key,
    cacheDir: paths.root,
    ...(ccache ? { ccache } : {}),
  };
  await writeManifest(paths.manifest, manifest); // last: marks the cache entry finished
  return manifest;
}

/** The finished cached build for these options, without building anything; undefined when there is none. */
export async function findCachedKernel(opts: ConfigureOptions): Promise<Manifest | undefined> {
  return cachedBuild((await prepare(opts)).paths);
}

/**
 * Builds (or returns from the cache) the hardened kernel for one target and
 * copies image, final .config, fragment, make log and manifest.json into the
 * output dir. Throws CasualtiesError / AuditFailedError / MakeFailedError
 * (exit 1), InterruptedError (130), Usage/Input/EnvironmentError (2).
 */
export function buildKernel(opts: BuildOptions): Promise<Manifest> {
  return interruptible(opts.signal, () => build(opts));
}

/** A full disk leaves nothing of the entry behind (its half-built tree is what filled it): one line, exit 2. */
async function configureAndCompile(prep: Prepared, opts: BuildOptions): Promise<Manifest> {
  try {
    return await compile(await configure(prep, opts), opts);
  } catch (e) {
    // make's own message may not say so (a linker, fixdep): a filesystem left with under 1 MiB is full too.
    if (opts.signal?.aborted || !(isNoSpace(e) || (await freeBytes(prep.paths.root)) < 1 << 20)) throw e;
    await rm(prep.paths.root, { recursive: true, force: true });
    throw noSpaceError(prep.paths.root, 'building the kernel');
  }
}

async function build(opts: BuildOptions): Promise<Manifest> {
  const prep: Prepared = await prepare(opts);
  const unsafe = prep.unsafeReasons.length > 0;
  const outDir = resolve(opts.cwd ?? process.cwd(), opts.outDir ?? join('out', unsafe ? `${opts.arch}-unsafe` : opts.arch));
  const releaseOut = await lock(join(outDir, '.lock'), {
    what: `building the kernel into ${outDir}`,
    say: (m) => prep.progress('cache', m),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const releaseEntry = await lockEntry(prep, opts.signal);
    try {
      prep.progress('cache', `key ${prep.key.slice(0, 12)}`);
      const hit = opts.force ? undefined : await cachedBuild(prep.paths, (m) => prep.progress('cache', m));
      if (hit) {
        prep.progress('artifacts', `cache hit: copying into ${outDir}`);
        return await publish(hit, outDir, true);
      }
      // From here the output dir is being rebuilt: it must not look finished until it is.
      await rm(join(outDir, 'manifest.json'), { force: true });
      await rm(prep.paths.manifest, { force: true });
      const manifest = await configureAndCompile(prep, opts);
      prep.progress('artifacts', `copying into ${outDir}`);
      return await publish(manifest, outDir, false);
    } finally {
      await releaseEntry();
    }
  } finally {
    await releaseOut();
  }
}
