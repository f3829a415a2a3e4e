import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../policy/index.ts';
import { EnvironmentError } from '../util/errors.ts';
import { fileEntry } from '../util/cache.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import { runTool } from './exec.ts';
import { nolibcHeaders } from './nolibc.ts';

// The project's own files the guest is made of: the doctor bundle (made by
// `npm run build`) and the static binaries compiled here (capsem-init; the
// probe and the doctor's runtime, against musl, are in runtime.ts).
// Found from this module's location, which is src/guest/ when run from source
// and dist/ or dist/chunks/ when bundled.

let root: string | undefined;
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'capsem-kernel') {
      return (root = dir);
    }
    const up = dirname(dir);
    if (up === dir) throw new EnvironmentError('cannot find the capsem-kernel project (package.json) above this module');
    dir = up;
  }
}

/** dist/capsem-doctor.js: one self-contained ESM file, run by the guest's node. */
export async function doctorBundle(): Promise<{ path: string; sha256: string }> {
  const path = join(projectRoot(), 'dist', 'capsem-doctor.js');
  if (!existsSync(path)) {
    throw new EnvironmentError(`${path} missing: run \`npm run build\` (it bundles the doctor for the guest)`);
  }
  return { path, sha256: await sha256File(path) };
}

/** The gcc that builds the guest's static binaries (capsem-init, capsem-probe, capsem-doctor-rt); src/doctor/probe/guest-cc.sh is its shell twin. */
export const GUEST_CC: Record<Arch, string> = { x86_64: 'gcc', arm64: 'aarch64-linux-gnu-gcc' };

/** A guest binary: its file in the cache and that file's sha256. */
export interface GuestBinary {
  path: string;
  sha256: string;
}

/**
 * A static binary the guest carries, compiled by `compile` into `out`; cached
 * under `cache` by arch, the text of the project `sources` it is made from,
 * `keyParts` (definitions, the engine's sources) and the compiler's version line.
 */
export async function guestBinary(o: {
  arch: Arch;
  name: string;
  cache: string;
  sources: readonly string[];
  keyParts?: readonly string[];
  what?: string;
  say?: (m: string) => void;
  signal?: AbortSignal | undefined;
  compile: (out: string, tmp: string) => Promise<unknown>;
}): Promise<GuestBinary> {
  const missing = o.sources.filter((f) => !existsSync(f));
  if (missing.length) throw new EnvironmentError(`${missing.join(', ')}: ${o.name}'s sources are missing`);
  const cc = await runTool(GUEST_CC[o.arch], ['--version'], { signal: o.signal });
  const key = sha256([o.arch, ...(o.keyParts ?? []), ...o.sources.map((f) => readFileSync(f, 'utf8')), cc].join('\0')).slice(0, 16);
  return fileEntry(join(cacheDir(o.cache), `${o.arch}-${key}`), o.name, {
    what: o.what ?? `compiling ${o.name} for ${o.arch}`,
    redo: 'compiling it again',
    ...(o.say ? { say: o.say } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    make: async (tmp) => void (await o.compile(join(tmp, o.name), tmp)),
  });
}

/**
 * The compiler's arguments for capsem-init: static against the kernel's nolibc
 * (its headers in `nolibc`; no libc, no start files, libgcc for what the
 * compiler may call), the paths it must agree on with the image as `defines`.
 * The host test (test/guest/init.test.ts) builds it with the same arguments.
 */
export function initCompileArgs(nolibc: string, defines: Record<string, string>, out: string, source = initSource()): string[] {
  const flags = Object.entries(defines).map(([k, v]) => `-D${k}=${JSON.stringify(v)}`);
  return [
    '-static', '-nostdlib', '-Os', '-s', '-std=gnu11', '-fno-asynchronous-unwind-tables', '-fno-ident',
    '-Wall', '-Wextra', '-Werror', '-I', nolibc, ...flags, '-o', out, source, '-lgcc',
    // Nothing would apply PT_GNU_RELRO (a dynamic loader or glibc's start code does; nolibc's does not),
    // and it made the linker pad arm64's file to its 64 KiB segment alignment (66 KB instead of 11).
    '-Wl,-z,norelro',
  ];
}

const initSource = () => join(projectRoot(), 'src', 'guest', 'init', 'capsem-init.c');

/** capsem-init for `arch` (src/guest/init/capsem-init.c), on nolibc, with the paths it must agree on with the image compiled in. */
export async function initBinary(arch: Arch, defines: Record<string, string>, signal?: AbortSignal, say?: (m: string) => void): Promise<GuestBinary> {
  const nolibc = await nolibcHeaders({ say, signal });
  return guestBinary({
    arch, name: 'capsem-init', cache: 'guest/init', sources: [initSource()], signal, ...(say ? { say } : {}),
    // The arguments without their paths (the same binary from any checkout or cache root), and the headers' content.
    keyParts: [...initCompileArgs('NOLIBC', defines, 'OUT', 'SOURCE'), nolibc.sha256],
    compile: (out) => runTool(GUEST_CC[arch], initCompileArgs(nolibc.dir, defines, out), { signal }),
  });
}
