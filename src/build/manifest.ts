import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Arch, KernelSeries, Toolchain } from '../policy/index.ts';
import { sha256File, writeFileAtomic } from '../util/fs.ts';
import type { CcacheStats } from './ccache.ts';

// manifest.json: what was built, from what, with what. Written last and
// atomically, so a directory holding a manifest holds a finished build.

/** Bumped when the manifest's shape changes; an older cached manifest is rebuilt, never misread. */
export const MANIFEST_VERSION = 3;

export type { ImageFormat } from '../kconfig/kbuild.ts';
import type { ImageFormat } from '../kconfig/kbuild.ts';

export interface Manifest {
  manifestVersion: typeof MANIFEST_VERSION;
  arch: Arch;
  kernelVersion: KernelSeries;
  /** `make kernelrelease`, e.g. 6.12.57-capsem-0123456789ab: what `uname -r` says in the guest. */
  kernelRelease: string;
  /** The config digest in the release, and how it is computed (so anyone can recompute it from the .config). */
  releaseDigest: { digest: string; recipe: string };
  source: {
    kind: 'tarball' | 'dir';
    path: string;
    /** Tarball: its sha256. Directory: sha256 of its file listing (path, size, mtime of every file). */
    sha256: string;
  };
  /** sha256 of the fragment handed to Kconfig (policy, plus any extra fragment). */
  fragmentSha256: string;
  /** sha256 of the final .config. */
  configSha256: string;
  image: {
    /** Absolute. */
    path: string;
    sizeBytes: number;
    sha256: string;
    format: ImageFormat;
  };
  /** Files next to the image (absolute): the final .config, the fragment, the make log. */
  files: { config: string; fragment: string; makeLog: string };
  /** Number of =y options in the final .config. */
  enabledOptions: number;
  toolchain: { name: Toolchain; version: string; banner: string };
  /** KBUILD_BUILD_* used: two builds of the same inputs give the same image sha256. */
  reproducible: { timestamp: string; user: string; host: string; version: string };
  /** Wall-clock seconds of the build that produced the image (not of a cache hit). */
  buildSeconds: number;
  /** The O= tree already held compiled objects (--force, or a re-run after Ctrl-C): not a clean-build figure. */
  incremental: boolean;
  /** Objects compiled (CC/AS lines in the make log); a clean build's count is the next build's progress estimate. */
  objectsCompiled: number;
  /** True when this call returned a cached build without running make. */
  cached: boolean;
  /** The build cache entry (holds the O= tree for incremental rebuilds). */
  cacheKey: string;
  cacheDir: string;
  /** Absent when ccache was not used. */
  ccache?: CcacheStats;
  /** Survival check: requested lines checked, casualties (always 0 in a manifest: casualties stop the build). */
  survival: { requested: number; casualties: number };
  audit: { pass: number; fail: number; waived: number; notApplicable: number; failures: string[] };
  /**
   * True for a test-only kernel: built with an extra fragment or with audit
   * failures allowed. Never ship or boot such a kernel outside tests.
   */
  unsafe: boolean;
  unsafeReasons: string[];
}

export async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as Manifest;
    return m.manifestVersion === MANIFEST_VERSION ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function writeManifest(path: string, m: Manifest): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(m, null, 2) + '\n');
}

/**
 * The manifest that names `image`: manifest.json beside it whose image sha256 is
 * the file's. Undefined when there is none (a kernel capsem did not build, or one
 * changed after its build).
 */
export async function manifestForImage(image: string): Promise<{ path: string; manifest: Manifest } | undefined> {
  const path = join(dirname(image), 'manifest.json');
  const manifest = await readManifest(path);
  if (!manifest) return undefined;
  const actual = await sha256File(image).catch(() => undefined);
  return actual === manifest.image.sha256 ? { path, manifest } : undefined;
}
