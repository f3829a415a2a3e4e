import { existsSync } from 'node:fs';
import { appendFile, chmod, copyFile, lstat, mkdir, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Arch, GUEST } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { DOCTOR_MANIFEST, renderManifest } from '../doctor/manifest.ts';
import { initBinary } from './assets.ts';
import type { CpioEntry } from './cpio.ts';
import { CAPSEM_BUSYBOX, CAPSEM_SHELL_DIR, INITRAMFS_MOUNTPOINTS, INITRAMFS_PLAN, INIT_APPLETS, INIT_DEFINES, INIT_PATH, PLAN_PATH, ROOT_MOUNTPOINTS, SYSTEM_PATH, initPlan } from './init.ts';
import { type DoctorLayout, type Fetched, doctorLayout, doctorRuntimeKind, fetchBusybox, probeBinary } from './runtime.ts';
import type { GuestVariant } from './variant.ts';

// What goes into the guest's root, as data before it is written anywhere:
// - the capsem layer: capsem-init, the doctor and its runtime, the probe, and
//   a static busybox of our own under /usr/lib/capsem that init and the doctor's
//   wrapper run on, so nothing of the image's (no shell, no libc) is needed;
// - our own small base (busybox applets, passwd) for the test rootfs, or a
//   user's root (`--base`) in its place;
// - the initramfs that mounts it.

/** The busybox applets of our own base: what init needs plus enough for a person to look around. No network clients or servers, no login, no cron. */
export const GUEST_APPLETS = [...new Set([
  ...INIT_APPLETS,
  ...['ls', 'ps', 'top', 'cat', 'head', 'tail', 'less', 'grep', 'find', 'stat', 'wc', 'sort', 'uniq', 'cut', 'tr', 'sed', 'awk'],
  ...['echo', 'printf', 'test', '[', 'true', 'false', 'env', 'id', 'uname', 'hostname', 'uptime', 'free', 'df', 'dmesg'],
  ...['ln', 'rm', 'mv', 'touch', 'readlink', 'realpath', 'which', 'hexdump', 'xxd', 'kill', 'vi', 'clear', 'sync'],
])].sort();

export const CAPSEM_BINARY_PATHS = GUEST.capsemBinaries.map((b) => `${GUEST.capsemBinDir}/${b}`);

/** One entry of the guest tree. A directory's mode applies only where the base has none. */
export type TreeEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; from: string }
  | { type: 'file'; path: string; mode: number; content: string }
  | { type: 'symlink'; path: string; target: string };

export interface Parts {
  busybox: Fetched;
  /** The doctor and its runtime (node or capsem-doctor-rt). */
  doctor: DoctorLayout;
  probe: { path: string; sha256: string };
  /** capsem-init: the static binary and the variant's plan it runs. */
  init: { binary: { path: string; sha256: string }; plan: string };
}

export async function gatherParts(arch: Arch, variant: GuestVariant, say: (m: string) => void, signal?: AbortSignal, kind = doctorRuntimeKind()): Promise<Parts> {
  const [busybox, doctor, probe, init] = await Promise.all([
    fetchBusybox(arch, signal, say),
    doctorLayout(arch, kind, signal, say),
    probeBinary(arch, signal, say),
    initBinary(arch, INIT_DEFINES, signal, say),
  ]);
  return { busybox, doctor, probe, init: { binary: init, plan: initPlan(variant, doctor.exec.split(' ')) } };
}

/** What the images are made of, for the manifest and the cache key. */
export function inputsOf(parts: Parts): { name: string; origin: string; sha256: string }[] {
  return [
    { name: 'busybox', origin: parts.busybox.origin, sha256: parts.busybox.sha256 },
    ...parts.doctor.files.map((f) => ({ name: f.name, origin: f.origin, sha256: f.sha256 })),
    { name: 'capsem-probe', origin: parts.probe.path, sha256: parts.probe.sha256 },
    { name: 'capsem-init', origin: 'src/guest/init/capsem-init.c', sha256: parts.init.binary.sha256 },
    { name: 'capsem-init plan', origin: 'src/guest/init.ts', sha256: sha256(parts.init.plan) },
  ];
}

const dirsOf = (paths: Iterable<string>, mode = 0o755): TreeEntry[] => {
  const out = new Map<string, TreeEntry>();
  for (const p of paths) for (let d = p; d !== '/'; d = dirname(d)) out.set(d, { type: 'dir', path: d, mode: d === '/tmp' ? 0o1777 : mode });
  return [...out.values()];
};

/** The capsem layer: everything of ours, the same on our base and on a user's. */
export function capsemLayer(parts: Parts): TreeEntry[] {
  const files: TreeEntry[] = [
    { type: 'file', path: CAPSEM_BUSYBOX, mode: 0o555, from: parts.busybox.path },
    ...['sh', ...INIT_APPLETS].map((a): TreeEntry => ({ type: 'symlink', path: `${CAPSEM_SHELL_DIR}/${a}`, target: '../busybox' })),
    // The doctor's runtime is as unwritable as capsem's binaries (the doctor proves it from /proc/self/maps).
    ...parts.doctor.files.map((f): TreeEntry => ({ type: 'file', path: f.path, mode: f.mode, from: f.from })),
    ...parts.doctor.symlinks.map((l): TreeEntry => ({ type: 'symlink', path: l.path, target: l.target })),
    { type: 'file', path: `${GUEST.capsemBinDir}/capsem-doctor`, mode: 0o555, content: `#!${CAPSEM_SHELL_DIR}/sh\nexec ${parts.doctor.exec} "$@"\n` },
    { type: 'file', path: `${GUEST.capsemBinDir}/capsem-probe`, mode: 0o555, from: parts.probe.path },
    { type: 'file', path: INIT_PATH, mode: 0o555, from: parts.init.binary.path },
    { type: 'file', path: PLAN_PATH, mode: 0o444, content: parts.init.plan },
  ];
  const mountpoints = ROOT_MOUNTPOINTS.map((d): TreeEntry => ({ type: 'dir', path: d, mode: d === '/tmp' ? 0o1777 : 0o755 }));
  return [...dirsOf([...files.map((f) => dirname(f.path)), ...ROOT_MOUNTPOINTS]), ...mountpoints, ...files];
}

const PROFILE = `export PATH=${SYSTEM_PATH}
export PS1='capsem:\\w# '
`;

/** Our own base for the test rootfs: busybox with a few applets, root's passwd and profile. */
export function ownBase(parts: Parts): TreeEntry[] {
  return [
    ...dirsOf(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/etc', '/mnt']),
    { type: 'dir', path: '/root', mode: 0o700 },
    { type: 'file', path: '/bin/busybox', mode: 0o755, from: parts.busybox.path },
    ...GUEST_APPLETS.map((a): TreeEntry => ({ type: 'symlink', path: `/bin/${a}`, target: 'busybox' })),
    { type: 'file', path: '/etc/passwd', mode: 0o644, content: 'root:x:0:0:root:/root:/bin/sh\n' },
    { type: 'file', path: '/etc/group', mode: 0o644, content: 'root:x:0:\n' },
    { type: 'file', path: '/etc/profile', mode: 0o644, content: PROFILE },
  ];
}

/** The initramfs: capsem-init as /init and its plan, the mount points stage 1 uses, a console. */
export function initramfsTree(init: Buffer, plan: string): CpioEntry[] {
  return [
    ...INITRAMFS_MOUNTPOINTS.map((path): CpioEntry => ({ type: 'dir', path, mode: 0o755 })),
    // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
    { type: 'chardev', path: '/dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'file', path: '/init', mode: 0o555, data: init },
    { type: 'file', path: INITRAMFS_PLAN, mode: 0o444, data: Buffer.from(plan) },
  ];
}

/** `guestPath`'s parent inside `staging`, refusing a symlink on the way (it could point out of the tree). */
async function realParent(staging: string, guestPath: string): Promise<void> {
  for (let d = dirname(guestPath); d !== '/'; d = dirname(d)) {
    const st = await lstat(join(staging, d)).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      throw new InputError(join(staging, d), `the base root has a symlink (-> ${await readlink(join(staging, d))}) where the capsem layer needs the directory ${d}`);
    }
    if (st && !st.isDirectory()) throw new InputError(join(staging, d), `the base root has a file where the capsem layer needs the directory ${d}`);
  }
}

/**
 * Writes `tree` into `staging`, over whatever base is already there: a
 * directory is made (with its mode) only where none is, a file or link
 * replaces what was at its path.
 */
export async function materialize(staging: string, tree: readonly TreeEntry[]): Promise<void> {
  const sorted = [...tree].sort((a, b) => a.path.localeCompare(b.path));
  for (const e of sorted) {
    const dest = join(staging, e.path);
    await realParent(staging, e.path);
    await mkdir(dirname(dest), { recursive: true });
    if (e.type === 'dir') {
      const st = await lstat(dest).catch(() => undefined);
      if (st?.isDirectory()) continue;
      if (st) await rm(dest, { recursive: true, force: true });
      await mkdir(dest);
      await chmod(dest, e.mode);
      continue;
    }
    await rm(dest, { recursive: true, force: true });
    if (e.type === 'symlink') {
      await symlink(e.target, dest);
    } else {
      if ('from' in e) await copyFile(e.from, dest);
      else await writeFile(dest, e.content);
      await chmod(dest, e.mode);
    }
  }
}

/** Bytes and files of the capsem layer (regular files only). */
export async function layerSize(tree: readonly TreeEntry[]): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  let files = 0;
  for (const e of tree) {
    if (e.type !== 'file') continue;
    files++;
    bytes += 'from' in e ? (await stat(e.from)).size : Buffer.byteLength(e.content);
  }
  return { files, bytes };
}

/** Every path in the staging tree (guest paths), sorted; directories are entered, symlinks are not followed. */
export async function walk(staging: string, guestDir = '/'): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(staging, guestDir))).sort()) {
    const p = guestDir === '/' ? `/${name}` : `${guestDir}/${name}`;
    out.push(p);
    const st = await lstat(join(staging, p));
    if (st.isDirectory()) out.push(...(await walk(staging, p)));
  }
  return out;
}

/** sha256 of every file the doctor runs from or may map, on the lower layer: the doctor compares. */
export async function writeDoctorManifest(staging: string, doctor: DoctorLayout): Promise<void> {
  const paths = [...doctor.files.map((f) => f.path), ...CAPSEM_BINARY_PATHS];
  const entries = new Map(await Promise.all(paths.map(async (p) => [p, await sha256File(join(staging, p))] as const)));
  const dest = join(staging, DOCTOR_MANIFEST);
  await mkdir(dirname(dest), { recursive: true });
  await rm(dest, { force: true });
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
export async function mutate(staging: string, variant: GuestVariant): Promise<void> {
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
