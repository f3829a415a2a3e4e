import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, copyFile, lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Arch, GUEST } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';
import { cachedEntry, verifyFiles } from '../util/cache.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import { DOCTOR_MANIFEST, renderManifest } from '../doctor/manifest.ts';
import { probeBinary } from './assets.ts';
import { type CpioEntry, gzipCpio } from './cpio.ts';
import { runTool } from './exec.ts';
import { INITRAMFS_MOUNTPOINTS, INIT_APPLETS, INIT_PATH, ROOT_MOUNTPOINTS, initScript } from './init.ts';
import { type DoctorLayout, type Fetched, doctorLayout, doctorRuntimeKind, fetchBusybox } from './runtime.ts';
import { DEFAULT_VARIANT, type GuestVariant, buildInputsOf, isDefaultVariant } from './variant.ts';

// The guest's immutable root (a squashfs) and the initramfs that mounts it.
// The builder lays out a staging tree, *enforces* the guest rules on it
// (strips setuid/setgid bits, sets capsem binaries to 0555 root, refuses
// sshd/cron/systemd), builds a reproducible squashfs, then *re-verifies* the
// image itself (unsquashfs listing) and fails if anything is wrong.
// Images are cached under <cache>/rootfs/<key>, the key hashing every input.

/** Bump when the layout or the build steps change in a way the inputs do not show. */
const BUILDER_VERSION = 2;

/** The busybox applets in the guest: what init needs plus enough for a person to look around. No network clients or servers, no login, no cron. */
export const GUEST_APPLETS = [...new Set([
  ...INIT_APPLETS,
  ...['ls', 'ps', 'top', 'cat', 'head', 'tail', 'less', 'grep', 'find', 'stat', 'wc', 'sort', 'uniq', 'cut', 'tr', 'sed', 'awk'],
  ...['echo', 'printf', 'test', '[', 'true', 'false', 'env', 'id', 'uname', 'hostname', 'uptime', 'free', 'df', 'dmesg'],
  ...['ln', 'rm', 'mv', 'touch', 'readlink', 'realpath', 'which', 'hexdump', 'xxd', 'kill', 'vi', 'clear', 'sync'],
])].sort();

/** Paths the guest must not contain: daemons the spec forbids and their units or tables. */
const FORBIDDEN: readonly { test: (path: string) => boolean; what: string }[] = [
  ...Object.values(GUEST.forbiddenProcesses)
    .flat()
    .map((name) => ({ test: (p: string) => basename(p) === name, what: `${name} binary` })),
  { test: (p) => /(^|\/)systemd(\/|$)/.test(p) || basename(p).startsWith('systemd'), what: 'systemd file' },
  { test: (p) => /\.(service|socket|timer)$/.test(p), what: 'systemd unit' },
  { test: (p) => /^\/etc\/(cron|crontab|anacrontab)/.test(p) || p.startsWith('/var/spool/cron'), what: 'cron table' },
  { test: (p) => p === '/etc/ssh' || p.startsWith('/etc/ssh/'), what: 'ssh configuration' },
];

const CAPSEM_BINARY_PATHS = GUEST.capsemBinaries.map((b) => `${GUEST.capsemBinDir}/${b}`);

/** One entry of the guest tree, before it is written anywhere. */
type TreeEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; from: string }
  | { type: 'file'; path: string; mode: number; content: string }
  | { type: 'symlink'; path: string; target: string };

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
  /** What enforcement had to change (the real guest: nothing). */
  enforced: string[];
  /** Findings of the re-verification of the built image (the real guest: none). */
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
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const PROFILE = `export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export PS1='capsem:\\w# '
`;

function guestTree(arch: Arch, parts: Parts): TreeEntry[] {
  const dirs: [string, number][] = [
    ...['/bin', '/sbin', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib/capsem', '/usr/local', GUEST.capsemBinDir].map(
      (d): [string, number] => [d, 0o755],
    ),
    ['/etc', 0o755],
    ['/root', 0o700],
    ['/mnt', 0o755],
    ...ROOT_MOUNTPOINTS.map((d): [string, number] => [d, d === '/tmp' ? 0o1777 : 0o755]),
  ];
  // Every directory above the runtime's files (node's libraries live in /lib/<triplet>, its loader's link in /lib64).
  for (const { path } of [...parts.doctor.files, ...parts.doctor.symlinks]) {
    for (let d = dirname(path); d !== '/'; d = dirname(d)) dirs.push([d, 0o755]);
  }
  const unique = new Map(dirs.map(([path, mode]) => [path, mode]));
  const entries: TreeEntry[] = [...unique].map(([path, mode]) => ({ type: 'dir', path, mode }));
  entries.push({ type: 'file', path: '/bin/busybox', mode: 0o755, from: parts.busybox.path });
  for (const applet of GUEST_APPLETS) entries.push({ type: 'symlink', path: `/bin/${applet}`, target: 'busybox' });
  // The doctor's runtime is as unwritable as capsem's binaries (the doctor proves it from /proc/self/maps).
  for (const f of parts.doctor.files) entries.push({ type: 'file', path: f.path, mode: f.mode, from: f.from });
  for (const l of parts.doctor.symlinks) entries.push({ type: 'symlink', path: l.path, target: l.target });
  entries.push(
    { type: 'file', path: `${GUEST.capsemBinDir}/capsem-doctor`, mode: 0o555, content: `#!/bin/sh\nexec ${parts.doctor.exec} "$@"\n` },
    { type: 'file', path: `${GUEST.capsemBinDir}/capsem-probe`, mode: 0o555, from: parts.probe.path },
    { type: 'file', path: INIT_PATH, mode: 0o555, content: parts.init },
    { type: 'file', path: '/etc/passwd', mode: 0o644, content: 'root:x:0:0:root:/root:/bin/sh\n' },
    { type: 'file', path: '/etc/group', mode: 0o644, content: 'root:x:0:\n' },
    { type: 'file', path: '/etc/profile', mode: 0o644, content: PROFILE },
  );
  return entries;
}

function initramfsTree(busybox: Buffer, init: string): CpioEntry[] {
  return [
    { type: 'dir', path: '/bin', mode: 0o755 },
    ...INITRAMFS_MOUNTPOINTS.map((path): CpioEntry => ({ type: 'dir', path, mode: 0o755 })),
    // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
    { type: 'chardev', path: '/dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'file', path: '/bin/busybox', mode: 0o755, data: busybox },
    ...INIT_APPLETS.map((a): CpioEntry => ({ type: 'symlink', path: `/bin/${a}`, target: 'busybox' })),
    { type: 'file', path: '/init', mode: 0o555, data: Buffer.from(init) },
  ];
}

interface Parts {
  busybox: Fetched;
  /** The doctor and its runtime (node or capsem-doctor-rt). */
  doctor: DoctorLayout;
  probe: { path: string; sha256: string };
  init: string;
}

async function gatherParts(arch: Arch, variant: GuestVariant, say: (m: string) => void, signal?: AbortSignal): Promise<Parts> {
  const [busybox, doctor, probe] = await Promise.all([
    fetchBusybox(arch, signal, say),
    doctorLayout(arch, doctorRuntimeKind(), signal, say),
    probeBinary(arch, signal),
  ]);
  return { busybox, doctor, probe, init: initScript(variant) };
}

async function inputsOf(parts: Parts): Promise<RootfsManifest['inputs']> {
  return [
    { name: 'busybox', origin: parts.busybox.origin, sha256: parts.busybox.sha256 },
    ...parts.doctor.files.map((f) => ({ name: f.name, origin: f.origin, sha256: f.sha256 })),
    { name: 'capsem-probe', origin: parts.probe.path, sha256: parts.probe.sha256 },
    { name: 'capsem-init', origin: 'src/guest/init.ts', sha256: sha256(parts.init) },
  ];
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

async function materialize(staging: string, tree: readonly TreeEntry[]): Promise<void> {
  const sorted = [...tree].sort((a, b) => a.path.localeCompare(b.path));
  for (const e of sorted) {
    const dest = join(staging, e.path);
    await mkdir(dirname(dest), { recursive: true });
    if (e.type === 'dir') {
      await mkdir(dest, { recursive: true });
      await chmod(dest, e.mode);
    } else if (e.type === 'symlink') {
      await symlink(e.target, dest);
    } else {
      if ('from' in e) await copyFile(e.from, dest);
      else await writeFile(dest, e.content);
      await chmod(dest, e.mode);
    }
  }
}

/** Every path in the staging tree (guest paths), sorted. */
async function walk(staging: string, guestDir = '/'): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(staging, guestDir))).sort()) {
    const p = guestDir === '/' ? `/${name}` : `${guestDir}/${name}`;
    out.push(p);
    const st = await lstat(join(staging, p));
    if (st.isDirectory()) out.push(...(await walk(staging, p)));
  }
  return out;
}

/** The enforcement pass: strip setuid/setgid, make capsem binaries 0555 root; refuse forbidden files. */
export async function enforceTree(staging: string): Promise<string[]> {
  const changed: string[] = [];
  const forbidden: string[] = [];
  for (const p of await walk(staging)) {
    const hit = FORBIDDEN.find((f) => f.test(p));
    if (hit) forbidden.push(`${p}: ${hit.what}`);
    const st = await lstat(join(staging, p));
    if (st.isSymbolicLink()) continue;
    if (st.mode & 0o6000) {
      await chmod(join(staging, p), st.mode & 0o1777);
      changed.push(`${p}: setuid/setgid bits stripped`);
    }
  }
  if (forbidden.length) throw new Error(`the guest tree holds forbidden files:\n  ${forbidden.join('\n  ')}`);
  for (const p of CAPSEM_BINARY_PATHS) {
    const st = await stat(join(staging, p));
    if ((st.mode & 0o7777) !== 0o555 || st.uid !== 0 || st.gid !== 0) {
      await chmod(join(staging, p), 0o555);
      await chown(join(staging, p), 0, 0);
      changed.push(`${p}: mode ${octal(st.mode)} ${st.uid}:${st.gid} set to 0555 0:0`);
    }
  }
  return changed;
}

/** sha256 of every file the doctor runs from or may map, on the lower layer: the doctor compares. */
async function writeDoctorManifest(staging: string, doctor: DoctorLayout): Promise<void> {
  const paths = [...doctor.files.map((f) => f.path), ...CAPSEM_BINARY_PATHS];
  const entries = new Map(await Promise.all(paths.map(async (p) => [p, await sha256File(join(staging, p))] as const)));
  const dest = join(staging, DOCTOR_MANIFEST);
  await writeFile(dest, renderManifest(entries));
  await chmod(dest, 0o444);
}

/** Guest paths matching `pattern`, where a `*` segment stands for any one entry. */
async function expand(staging: string, pattern: string): Promise<string[]> {
  let paths = [''];
  for (const seg of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const p of paths) next.push(...(seg === '*' ? (await readdir(join(staging, p)).catch(() => [])).map((n) => `${p}/${n}`) : [`${p}/${seg}`]));
    paths = next.filter((p) => existsSync(join(staging, p)));
  }
  return paths;
}

/** The variant's build-time mutations, applied after enforcement (test mutants only). */
async function mutate(staging: string, variant: GuestVariant): Promise<void> {
  // One byte appended: the file still loads, but no longer matches the doctor's manifest.
  // Patterns are alternatives (one layout has a file another lacks): at least one must match.
  const tampered = (await Promise.all((variant.tamper ?? []).map((pattern) => expand(staging, pattern)))).flat();
  if (variant.tamper?.length && tampered.length === 0) throw new Error(`variant ${variant.id}: nothing to tamper with at ${variant.tamper.join(', ')}`);
  for (const p of tampered) await appendFile(join(staging, p), '\n');
  for (const f of variant.extraFiles ?? []) {
    const dest = join(staging, f.path);
    await mkdir(dirname(dest), { recursive: true });
    if (f.copyOf) await copyFile(join(staging, f.copyOf), dest);
    else await writeFile(dest, f.content ?? '');
    await chmod(dest, f.mode);
  }
  if (variant.capsemBinaryMode !== undefined) {
    for (const p of CAPSEM_BINARY_PATHS) await chmod(join(staging, p), variant.capsemBinaryMode);
  }
}

/** '-rwsr-xr-x' -> 0o4755 (ls-style permissions, as unsquashfs -lln prints them). */
export function parsePerms(perms: string): number {
  const bit = (i: number, set: string, value: number) => (set.includes(perms[i]!) ? value : 0);
  return (
    bit(1, 'r', 0o400) | bit(2, 'w', 0o200) | bit(3, 'xs', 0o100) | bit(3, 'sS', 0o4000) |
    bit(4, 'r', 0o040) | bit(5, 'w', 0o020) | bit(6, 'xs', 0o010) | bit(6, 'sS', 0o2000) |
    bit(7, 'r', 0o004) | bit(8, 'w', 0o002) | bit(9, 'xt', 0o001) | bit(9, 'tT', 0o1000)
  );
}

export interface ListedEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Parses `unsquashfs -lln` output (paths relative to the image root). */
export function parseSquashfsListing(text: string): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S{10})\s+(\d+)\/(\d+)\s+\S+\s+\S+\s+\S+\s+squashfs-root(\/.*?)?(?: -> .*)?$/.exec(line);
    if (!m) continue;
    out.push({ path: m[4] ?? '/', type: m[1]![0]!, mode: parsePerms(m[1]!), uid: Number(m[2]), gid: Number(m[3]) });
  }
  return out;
}

/** The guest rules checked on a listing of the built image: one finding per problem, all at once. */
export function verifyListing(entries: readonly ListedEntry[]): string[] {
  const findings = new Set<string>();
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const e of entries) {
    if (e.type !== 'l' && e.mode & 0o4000) findings.add(`${e.path}: setuid`);
    if (e.type !== 'l' && e.mode & 0o2000) findings.add(`${e.path}: setgid`);
    const hit = FORBIDDEN.find((f) => f.test(e.path));
    if (hit) findings.add(`${e.path}: ${hit.what}`);
  }
  for (const p of CAPSEM_BINARY_PATHS) {
    const e = byPath.get(p);
    if (!e) findings.add(`${p}: missing`);
    else if (e.type !== '-' || e.mode !== 0o555 || e.uid !== 0 || e.gid !== 0) {
      findings.add(`${p}: ${e.type} mode ${octal(e.mode)} owner ${e.uid}:${e.gid} (want a file, 0555, 0:0)`);
    }
  }
  return [...findings].sort();
}

async function manifestFiles(staging: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const p of await walk(staging)) {
    const full = join(staging, p);
    const st = await lstat(full);
    if (st.isSymbolicLink()) files.push({ path: p, type: 'symlink', mode: '0777', target: await readlink(full) });
    else if (st.isDirectory()) files.push({ path: p, type: 'dir', mode: octal(st.mode) });
    else files.push({ path: p, type: 'file', mode: octal(st.mode), sizeBytes: st.size, sha256: await sha256File(full) });
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
 * Data blocks are stored uncompressed (-noD); inodes, directories and
 * fragments are zstd. Under TCG the guest decompresses in emulation, and node
 * (99 MB, of which a cold start reads tens of MB) dominated boot: measured on
 * x86_64 TCG, alternating boots on a loaded host, the doctor's own run took
 * 2.6-4.2 s with -noD against 5.5-7.8 s with zstd level 9 data, and the
 * image builds in well under a second instead of 8 s (level 9) or 50 s
 * (default 15). The price is size: 107 MB instead of 39 MB.
 */
export const SQUASHFS_OPTIONS = ['-comp', 'zstd', '-Xcompression-level', '9', '-noD'] as const;

/** A reproducible squashfs of `staging`: fixed times, everything root-owned, no xattrs. */
export async function makeSquashfs(staging: string, out: string, signal?: AbortSignal): Promise<void> {
  await runTool(
    'mksquashfs',
    [
      staging, out, '-noappend', ...SQUASHFS_OPTIONS,
      '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-processors', '2', '-no-progress', '-quiet',
    ],
    // The options fix the times; mksquashfs refuses them together with SOURCE_DATE_EPOCH, so drop it.
    { signal, env: { ...process.env, SOURCE_DATE_EPOCH: undefined } },
  );
}

export async function listSquashfs(image: string, signal?: AbortSignal): Promise<ListedEntry[]> {
  return parseSquashfsListing(await runTool('unsquashfs', ['-lln', image], { signal }));
}

/**
 * Builds (or takes from the cache) the squashfs root and initramfs for one
 * arch and variant. Fails if the re-verification of the real guest's image
 * finds anything; a mutant's findings are recorded in its manifest.
 */
export async function buildRootfs(opts: RootfsOptions): Promise<GuestImages> {
  const { arch, signal } = opts;
  const variant = opts.variant ?? DEFAULT_VARIANT;
  const say = opts.onProgress ?? (() => {});
  say(`rootfs ${arch}: gathering inputs (busybox, node ${arch}, libraries, doctor, probe)`);
  const parts = await gatherParts(arch, variant, say, signal);
  const inputs = await inputsOf(parts);
  const mksquashfsVersion = (await runTool('mksquashfs', ['-version'], { signal })).split('\n')[0];
  const key = sha256(
    JSON.stringify({ BUILDER_VERSION, arch, variant: buildInputsOf(variant), inputs, GUEST_APPLETS, mksquashfsVersion, SQUASHFS_OPTIONS }),
  ).slice(0, 24);
  const dir = join(cacheDir('rootfs'), `${arch}-${variant.id}-${key}`);
  const images = (manifest: RootfsManifest, cached: boolean): GuestImages =>
    ({ arch, variant, key, dir, squashfs: manifest.squashfs, initramfs: manifest.initramfs, manifest, cached });

  const { value, cached } = await cachedEntry({
    dir,
    what: `building the rootfs ${basename(dir)}`,
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
  return images(value, cached);

  async function makeImages(staging: string, outDir: string): Promise<RootfsManifest> {
    say(`rootfs ${arch}: laying out and enforcing the guest tree`);
    await materialize(staging, guestTree(arch, parts));
    const enforced = await enforceTree(staging);
    await writeDoctorManifest(staging, parts.doctor);
    await mutate(staging, variant);
    say(`rootfs ${arch}: mksquashfs`);
    const squashPath = join(outDir, 'rootfs.squashfs');
    await makeSquashfs(staging, squashPath, signal);
    const findings = verifyListing(await listSquashfs(squashPath, signal));
    if (findings.length && isDefaultVariant(variant)) {
      throw new Error(`rootfs ${arch}: the built image breaks the guest rules:\n  ${findings.join('\n  ')}`);
    }
    const cpio = initramfsTree(await readFile(parts.busybox.path), parts.init);
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
