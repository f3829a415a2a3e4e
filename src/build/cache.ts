import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch, KernelSeries, Toolchain } from '../policy/index.ts';
import { sha256 } from '../util/fs.ts';
import { readManifest, type ImageFormat } from './manifest.ts';

// The build cache: <cache>/builds/<key>/ per distinct set of inputs. The key
// covers everything that changes the image: source hash, the exact fragment
// text, arch, kernel version, compiler and linker versions, make target and
// the fixed KBUILD_BUILD_* values, plus our recipe version. It does not cover
// ccache or -j (they change speed, not output).

/** Bump when the build recipe (make invocations, environment) changes what comes out. */
export const RECIPE_VERSION = 2; // 2: the release names the config digest (LOCALVERSION)

export interface CacheInputs {
  sourceSha256: string;
  fragment: string;
  arch: Arch;
  kernel: KernelSeries;
  toolchain: Toolchain;
  /** Compiler and linker `--version` first lines. */
  toolchainBanner: string;
  makeTarget: ImageFormat;
  reproducible: Record<string, string>;
}

export function cacheKey(i: CacheInputs): string {
  const canonical = JSON.stringify({
    recipe: RECIPE_VERSION,
    source: i.sourceSha256,
    fragment: sha256(i.fragment),
    arch: i.arch,
    kernel: i.kernel,
    toolchain: i.toolchain,
    banner: i.toolchainBanner,
    target: i.makeTarget,
    reproducible: Object.entries(i.reproducible).sort(),
  });
  return sha256(canonical);
}

export interface CachePaths {
  root: string;
  /** The O= build tree, kept so a re-run (after --force or Ctrl-C) is incremental. */
  obj: string;
  fragment: string;
  config: string;
  image: string;
  makeLog: string;
  ccacheLog: string;
  manifest: string;
  lock: string;
}

export function cachePaths(cacheRoot: string, key: string, format: ImageFormat): CachePaths {
  const root = join(cacheRoot, 'builds', key);
  return {
    root,
    obj: join(root, 'obj'),
    fragment: join(root, 'fragment.config'),
    config: join(root, 'config'),
    image: join(root, format),
    makeLog: join(root, 'make.log'),
    ccacheLog: join(root, 'ccache-stats.log'),
    manifest: join(root, 'manifest.json'),
    lock: join(root, '.lock'),
  };
}

/**
 * The progress bar's total: the most objects any clean cached build of the
 * same arch and kernel compiled.
 */
export async function estimateObjects(cacheRoot: string, arch: Arch, kernel: KernelSeries): Promise<number | undefined> {
  const builds = join(cacheRoot, 'builds');
  let most: number | undefined;
  for (const key of await readdir(builds).catch(() => [] as string[])) {
    const m = await readManifest(join(builds, key, 'manifest.json'));
    if (m && !m.incremental && m.arch === arch && m.kernelVersion === kernel) most = Math.max(most ?? 0, m.objectsCompiled);
  }
  return most || undefined;
}
