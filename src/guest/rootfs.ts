import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, lstat, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Arch } from '../policy/index.ts';
import { EnvironmentError, InputError, UsageError } from '../util/errors.ts';
import { cachedEntry, verifyFiles } from '../util/cache.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import { type BaseImage, identifyBase, readBase } from './base/index.ts';
import { type CpioEntry, gzipCpio } from './cpio.ts';
import { runTool } from './exec.ts';
import { type Finding, describeFinding, enforceTree, fixFindings, scanTree, verifyListing } from './findings.ts';
import { GUEST_APPLETS, type Parts, capsemLayer, gatherParts, initramfsTree, inputsOf, layerSize, materialize, mutate, ownBase, walk, writeDoctorManifest } from './layout.ts';
import { doctorRuntimeKind } from './runtime.ts';
import { SQUASHFS_OPTIONS, listSquashfs, makeSquashfs } from './squashfs.ts';
import { DEFAULT_VARIANT, type GuestVariant, buildInputsOf, isDefaultVariant } from './variant.ts';

// The guest's images, built and cached: the squashfs root (our own small base,
// or a user's root with `--base`, plus the capsem layer) and the initramfs that
// mounts it. A user's root is scanned first and every finding reported; only
// `enforce` fixes them. Then the image itself is re-verified (unsquashfs
// listing): our own image, or an enforced one, must have no finding at all.
// Images are cached under <cache>/rootfs/<key>, the key hashing every input.

/** Bump when the layout or the build steps change in a way the inputs do not show. */
const BUILDER_VERSION = 3;

export interface ManifestFile {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'chardev';
  /** Octal, e.g. '0555'. */
  mode: string;
  sizeBytes?: number;
  sha256?: string;
  target?: string;
}

export interface ImageInfo {
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface RootfsManifest {
  schema: 'capsem-rootfs/1';
  arch: Arch;
  variant: string;
  key: string;
  squashfs: ImageInfo & { options: string };
  initramfs: ImageInfo & { format: 'cpio newc, gzip' };
  inputs: { name: string; origin: string; sha256: string }[];
  /** The user's root the image was made from (`--base`); absent for our own base. */
  base?: Omit<BaseImage, 'path'> & { path: string; enforce: boolean; findings: Finding[] };
  /** The capsem layer (ours, on either base): its regular files and their bytes. */
  layer: { files: number; bytes: number };
  /** What enforcement changed (our own base: nothing). */
  enforced: string[];
  /** Findings of the re-verification of the built image (our own guest and an enforced base: none). */
  findings: string[];
  files: ManifestFile[];
  initramfsFiles: ManifestFile[];
}

export interface GuestImages {
  arch: Arch;
  variant: GuestVariant;
  key: string;
  dir: string;
  squashfs: ImageInfo;
  initramfs: ImageInfo;
  manifest: RootfsManifest;
  /** True when the images came from the cache. */
  cached: boolean;
}

export interface RootfsOptions {
  arch: Arch;
  variant?: GuestVariant;
  /** A user's root (directory, tar, docker save, squashfs) instead of our own base. */
  base?: string;
  /** Fix what the scan of `base` finds (strip bits and capabilities, remove forbidden files). */
  enforce?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

async function manifestFiles(staging: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const p of await walk(staging)) {
    const full = join(staging, p);
    const st = await lstat(full);
    if (st.isSymbolicLink()) files.push({ path: p, type: 'symlink', mode: '0777', target: await readlink(full) });
    else if (st.isDirectory()) files.push({ path: p, type: 'dir', mode: octal(st.mode) });
    else if (st.isFile()) files.push({ path: p, type: 'file', mode: octal(st.mode), sizeBytes: st.size, sha256: await sha256File(full) });
  }
  return files;
}

function cpioManifest(entries: readonly CpioEntry[]): ManifestFile[] {
  return [...entries]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((e): ManifestFile => {
      if (e.type === 'symlink') return { path: e.path, type: 'symlink', mode: '0777', target: e.target };
      if (e.type === 'file') return { path: e.path, type: 'file', mode: octal(e.mode), sizeBytes: e.data.length, sha256: sha256(e.data) };
      return { path: e.path, type: e.type, mode: octal(e.mode) };
    });
}

async function imageInfo(path: string): Promise<ImageInfo> {
  return { path, sizeBytes: (await stat(path)).size, sha256: await sha256File(path) };
}

/**
 * Builds (or takes from the cache) the squashfs root and initramfs for one
 * arch and variant, on our own base or `opts.base`. Fails if the
 * re-verification of our own image or an enforced base finds anything; a
 * mutant's or an unenforced base's findings are recorded in its manifest.
 */
export async function buildRootfs(opts: RootfsOptions): Promise<GuestImages> {
  const { arch, signal } = opts;
  const variant = opts.variant ?? DEFAULT_VARIANT;
  const say = opts.onProgress ?? (() => {});
  const enforce = opts.enforce ?? false;
  if (opts.base !== undefined && !isDefaultVariant(variant)) throw new UsageError('rootfs: --base takes the real guest only (test mutants are built on our own base)');
  if (opts.base === undefined && enforce) throw new UsageError('rootfs: --enforce applies to a --base root');
  if (opts.base !== undefined && doctorRuntimeKind() !== 'qjs') throw new UsageError('rootfs: --base needs the self-contained doctor (CAPSEM_DOCTOR_RUNTIME=qjs): the node layout brings its own libc into /lib');
  if (opts.base !== undefined && process.getuid?.() !== 0) throw new EnvironmentError('rootfs: --base runs as root (the owners, setuid bits and capabilities of your root are read and kept as they are)');
  const base = opts.base === undefined ? undefined : await identifyBase(opts.base, signal);
  say(`rootfs ${arch}: gathering inputs (busybox, the doctor's runtime for ${arch}, doctor, probe)${base ? `; base ${base.kind} ${base.path}` : ''}`);
  const parts = await gatherParts(arch, variant, say, signal);
  const inputs = inputsOf(parts);
  const mksquashfsVersion = (await runTool('mksquashfs', ['-version'], { signal })).split('\n')[0];
  const key = sha256(
    JSON.stringify({
      BUILDER_VERSION, arch, variant: buildInputsOf(variant), inputs, GUEST_APPLETS, mksquashfsVersion, SQUASHFS_OPTIONS,
      ...(base ? { base: { kind: base.kind, digest: base.digest }, enforce } : {}),
    }),
  ).slice(0, 24);
  const name = base ? `${arch}-base-${enforce ? 'enforced' : 'as-is'}-${key}` : `${arch}-${variant.id}-${key}`;
  const dir = join(cacheDir('rootfs'), name);

  const { value, cached } = await cachedEntry({
    dir,
    what: `building the rootfs ${name}`,
    say,
    ...(signal ? { signal } : {}),
    reuse: (d, recheck) => readCached(join(d, 'manifest.json'), recheck ? undefined : say),
    make: async (outDir) => {
      const staging = `${dir}.staging-${process.pid}`;
      try {
        await rm(staging, { recursive: true, force: true });
        return await makeImages(staging, outDir);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
  });
  return { arch, variant, key, dir, squashfs: value.squashfs, initramfs: value.initramfs, manifest: value, cached };

  /** The root's tree in `staging`: our own base enforced, or the user's scanned (and fixed with `enforce`), then the capsem layer. */
  async function layOut(staging: string, p: Parts): Promise<{ enforced: string[]; baseFindings?: Finding[] }> {
    if (!base) {
      say(`rootfs ${arch}: laying out and enforcing the guest tree`);
      await materialize(staging, [...ownBase(p), ...capsemLayer(p)]);
      const enforced = await enforceTree(staging, signal);
      await writeDoctorManifest(staging, p.doctor);
      await mutate(staging, variant);
      return { enforced };
    }
    say(`rootfs ${arch}: reading the base ${base.kind} ${base.path}`);
    await readBase(base, staging, signal);
    const baseFindings = await scanTree(staging, signal);
    say(`rootfs ${arch}: the base breaks the guest rules in ${baseFindings.length} place(s)${baseFindings.length && !enforce ? ' (kept: no --enforce)' : ''}`);
    const enforced = enforce ? await fixFindings(staging, baseFindings, signal) : [];
    await materialize(staging, capsemLayer(p));
    await writeDoctorManifest(staging, p.doctor);
    if (enforce) {
      const left = await scanTree(staging, signal);
      if (left.length) throw new Error(`rootfs ${arch}: after --enforce the tree still breaks the guest rules:\n  ${left.map(describeFinding).join('\n  ')}`);
    }
    return { enforced, baseFindings };
  }

  async function makeImages(staging: string, outDir: string): Promise<RootfsManifest> {
    const { enforced, baseFindings } = await layOut(staging, parts);
    say(`rootfs ${arch}: mksquashfs`);
    const squashPath = join(outDir, 'rootfs.squashfs');
    await makeSquashfs(staging, squashPath, signal, base !== undefined);
    const findings = verifyListing(await listSquashfs(squashPath, signal));
    if (findings.length && isDefaultVariant(variant) && (!base || enforce)) {
      throw new Error(`rootfs ${arch}: the built image breaks the guest rules:\n  ${findings.join('\n  ')}`);
    }
    const cpio = initramfsTree(await readFile(parts.init.binary.path), parts.init.plan);
    const initramfsPath = join(outDir, 'initramfs.cpio.gz');
    await writeFile(initramfsPath, gzipCpio(cpio));
    const final = (p: string) => join(dir, basename(p));
    const manifest: RootfsManifest = {
      schema: 'capsem-rootfs/1',
      arch,
      variant: variant.id,
      key,
      squashfs: { ...(await imageInfo(squashPath)), path: final(squashPath), options: SQUASHFS_OPTIONS.join(' ') },
      initramfs: { ...(await imageInfo(initramfsPath)), path: final(initramfsPath), format: 'cpio newc, gzip' },
      inputs,
      ...(base ? { base: { ...base, enforce, findings: baseFindings ?? [] } } : {}),
      layer: await layerSize(capsemLayer(parts)),
      enforced,
      findings,
      files: await manifestFiles(staging),
      initramfsFiles: cpioManifest(cpio),
    };
    await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    say(`rootfs ${arch}: ${manifest.squashfs.sizeBytes} bytes squashfs, ${manifest.initramfs.sizeBytes} bytes initramfs`);
    return manifest;
  }
}

/** A cached build, if its manifest is there and both images still match it; a changed image is said and rebuilt. */
async function readCached(manifestPath: string, say?: (m: string) => void): Promise<RootfsManifest | undefined> {
  if (!existsSync(manifestPath)) return undefined;
  let m: RootfsManifest;
  try {
    m = JSON.parse(await readFile(manifestPath, 'utf8')) as RootfsManifest;
  } catch {
    return undefined;
  }
  const check = await verifyFiles([m.squashfs, m.initramfs]);
  if (check.ok) return m;
  say?.(`rootfs cache: ${check.reason}; rebuilding`);
  return undefined;
}

/** Copies a build's images and manifest to `out` (for `capsem-kernel rootfs --out`). */
export async function exportImages(images: GuestImages, out: string): Promise<string[]> {
  if (existsSync(out) && !(await stat(out)).isDirectory()) throw new InputError(out, 'not a directory');
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const src of [images.squashfs.path, images.initramfs.path, join(images.dir, 'manifest.json')]) {
    const dest = join(out, basename(src));
    await copyFile(src, dest);
    written.push(dest);
  }
  return written;
}
