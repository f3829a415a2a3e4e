import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Arch, Toolchain } from '../policy/index.ts';
import { EnvironmentError, InputError } from '../util/errors.ts';
import { sha256 } from '../util/fs.ts';
import { kbuildTarget, type KbuildTarget } from '../kconfig/kbuild.ts';
import { ensurePackages, hasTool, tryCapture } from './host.ts';

// The toolchain a build runs on this machine: kbuildTarget's compiler and
// linker (installed when missing), their versions, ccache and the randstruct seed.

export interface ToolchainInfo {
  name: Toolchain;
  /** e.g. 12.2.0 or 19.1.7 */
  version: string;
  /**
   * First lines of `cc --version` and `ld --version`, and the randstruct seed's id: part of the
   * cache key (a compiler update or another seed rebuilds).
   */
  banner: string;
  /** Variables for every make call: kbuildTarget's, ccache's CC, the seed's. */
  makeVars: string[];
  ccache: boolean;
  kbuild: KbuildTarget;
}

/**
 * The randstruct seed (RANDSTRUCT_FULL, both toolchains). The kernel draws a fresh one
 * from /dev/urandom on every build, which breaks reproducibility and, under clang, ccache:
 * a hit compiled with another seed has another struct layout. Ours is a secret kept
 * outside the build cache (deleting the cache must not change it): CAPSEM_RANDSTRUCT_SEED
 * (64 hex digits, for a team sharing a ccache or a CI planning keys), else one drawn once
 * into ~/.config/capsem-kernel/randstruct.seed (0600). Make runs a script that writes it
 * (command-line `gen-randstruct-seed=` overrides scripts/basic/Makefile's), and its id
 * goes into every compile's flags so ccache never mixes layouts.
 */
export function randstructSeed(env: NodeJS.ProcessEnv = process.env): { id: string; makeVars: string[] } {
  const dir = join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'capsem-kernel');
  let seed = env.CAPSEM_RANDSTRUCT_SEED?.toLowerCase();
  if (seed !== undefined && !/^[0-9a-f]{64}$/.test(seed)) {
    throw new InputError('CAPSEM_RANDSTRUCT_SEED', 'must be 64 hex digits');
  }
  if (seed === undefined) {
    const file = join(dir, 'randstruct.seed');
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      try {
        writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another build drew it first: use that one
      }
    }
    seed = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(seed)) throw new InputError(file, 'not 64 hex digits (delete it to draw a new seed)');
  }
  const id = sha256(seed).slice(0, 16);
  const script = join(dir, `gen-randstruct-seed-${id}.sh`);
  if (!existsSync(script)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The kernel's scripts/gen-randstruct-seed.sh with the seed fixed: $1 the seed file, $2 its hash header.
    const hash = sha256(seed);
    const tmp = `${script}.tmp-${process.pid}`; // renamed into place: a concurrent make never runs half a script
    writeFileSync(tmp, `#!/bin/sh\necho "${seed}" > "$1"\necho '#define RANDSTRUCT_HASHED_SEED "${hash}"' > "$2"\n`, { mode: 0o700 });
    renameSync(tmp, script);
  }
  return { id, makeVars: [`gen-randstruct-seed=${script}`, `KCFLAGS=-DCAPSEM_RANDSTRUCT_SEED_ID=${id}`] };
}

export async function resolveToolchain(
  arch: Arch,
  toolchain: Toolchain,
  opts: { useCcache: boolean; say: (m: string) => void; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<ToolchainInfo> {
  const r = kbuildTarget(arch, toolchain);
  if (!(await hasTool(r.cc)) || !(await hasTool(r.ld))) {
    await ensurePackages(r.packages, `the ${toolchain} ${arch} kernel build`, opts.say, opts.signal);
  }
  const ccBanner = (await tryCapture(r.cc, ['--version']))?.split('\n')[0];
  const ldBanner = (await tryCapture(r.ld, ['--version']))?.split('\n')[0];
  if (!ccBanner || !ldBanner) throw new EnvironmentError(`${r.cc} or ${r.ld} does not run`);
  const version = /(\d+\.\d+\.\d+)/.exec(ccBanner)?.[1] ?? ccBanner;
  const ccache = opts.useCcache && (await hasTool('ccache'));
  // CC overrides what CROSS_COMPILE / LLVM= would pick; HOSTCC stays the native default.
  const seed = randstructSeed(opts.env);
  const makeVars = [...r.makeVars, ...(ccache ? [`CC=ccache ${r.cc}`] : []), ...seed.makeVars];
  return { name: toolchain, version, banner: `${ccBanner}; ${ldBanner}; randstruct seed ${seed.id}`, makeVars, ccache, kbuild: r };
}
