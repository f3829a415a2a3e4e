import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../policy/index.ts';
import { EnvironmentError } from '../util/errors.ts';
import { fileEntry } from '../util/cache.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import { runTool } from './exec.ts';

// The project's own files the guest is made of: the doctor bundle (made by
// `npm run build`) and the doctor's static probe (compiled here, cached).
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

/** The gcc that builds the guest's static binaries (capsem-probe, capsem-doctor-rt); src/doctor/probe/guest-cc.sh is its shell twin. */
export const GUEST_CC: Record<Arch, string> = { x86_64: 'gcc', arm64: 'aarch64-linux-gnu-gcc' };

/**
 * capsem-init for `arch` (src/guest/init/capsem-init.c), static, with the paths
 * it must agree on with the image compiled in; cached by source, definitions and compiler.
 */
export async function initBinary(arch: Arch, defines: Record<string, string>, signal?: AbortSignal): Promise<{ path: string; sha256: string }> {
  const source = join(projectRoot(), 'src', 'guest', 'init', 'capsem-init.c');
  if (!existsSync(source)) throw new EnvironmentError(`${source}: capsem-init's source is missing`);
  const cc = await runTool(GUEST_CC[arch], ['--version'], { signal });
  const flags = Object.entries(defines).map(([k, v]) => `-D${k}=${JSON.stringify(v)}`);
  const key = sha256([arch, readFileSync(source, 'utf8'), ...flags, cc].join('\0')).slice(0, 16);
  return fileEntry(join(cacheDir('guest/init'), `${arch}-${key}`), 'capsem-init', {
    what: `compiling capsem-init for ${arch}`,
    redo: 'compiling it again',
    ...(signal ? { signal } : {}),
    make: (tmp) =>
      runTool(GUEST_CC[arch], ['-static', '-O2', '-s', '-std=gnu11', '-Wall', '-Wextra', '-Werror', ...flags, '-o', join(tmp, 'capsem-init'), source], { signal }).then(() => {}),
  });
}

/** capsem-probe for `arch`, built by the doctor's own build.sh; cached by source, script and compiler. */
export async function probeBinary(arch: Arch, signal?: AbortSignal): Promise<{ path: string; sha256: string }> {
  const dir = join(projectRoot(), 'src', 'doctor', 'probe');
  const script = join(dir, 'build.sh');
  const source = join(dir, 'capsem-probe.c');
  if (!existsSync(script) || !existsSync(source)) {
    throw new EnvironmentError(`${dir}: the doctor's probe (build.sh, capsem-probe.c) is missing`);
  }
  const cc = await runTool(GUEST_CC[arch], ['--version'], { signal });
  const key = sha256([arch, ...[script, join(dir, 'guest-cc.sh'), source].map((f) => readFileSync(f, 'utf8')), cc].join('\0')).slice(0, 16);
  return fileEntry(join(cacheDir('guest/probe'), `${arch}-${key}`), 'capsem-probe', {
    what: `compiling capsem-probe for ${arch}`,
    redo: 'compiling it again',
    ...(signal ? { signal } : {}),
    make: (tmp) => runTool('sh', [script, arch, join(tmp, 'capsem-probe')], { signal }).then(() => {}),
  });
}
