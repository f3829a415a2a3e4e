// The kernel's own kconfig, as the reference our engine must agree with:
// configure-only `make` runs (never a compile) into cache directories, and the
// kernel's `scripts/kconfig/conf` binary for the golden cases.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch, Toolchain } from '../../src/policy/index.ts';
import { kbuildTarget } from '../../src/kconfig/kbuild.ts';
import { installedPackages } from '../../src/kconfig/toolchain.ts';
import { sha256 } from '../../src/util/fs.ts';
import { cacheDir } from '../../src/util/paths.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

export { kernelSource };

/** Whether `make` can configure for `arch` here (the cross compiler exists). */
export function canConfigure(arch: Arch): boolean {
  return spawnSync(kbuildTarget(arch, 'gcc').cc, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RefRun {
  /** The build directory (O=): .config and include/config/auto.conf.cmd live there. */
  dir: string;
  config: string;
}

/**
 * `make O=<cache> <targets>` (configure targets only), cached by its inputs.
 * `allconfig` is written next to the output and passed as KCONFIG_ALLCONFIG.
 */
export async function kernelConfigure(opts: {
  srcDir: string;
  arch: Arch;
  targets: string[];
  allconfig?: string;
  /** Written to .config before running (olddefconfig inputs). */
  input?: string;
  /** Whose make variables (src/kconfig/kbuild.ts); default gcc. */
  toolchain?: Toolchain;
}): Promise<RefRun> {
  // The host's packages too: conf's compiler probes read more than the compiler (a gcc plugin header).
  const key = sha256(
    JSON.stringify([opts.srcDir, opts.arch, opts.targets, opts.allconfig ?? '', opts.input ?? '', opts.toolchain ?? 'gcc', installedPackages()]),
  );
  const dir = join(cacheDir('kconfig-ref'), `${opts.targets.join('+')}-${opts.arch}-${key.slice(0, 12)}`);
  const config = join(dir, '.config');
  const stamp = join(dir, '.capsem-done');
  if (existsSync(stamp)) return { dir, config };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const vars = [...kbuildTarget(opts.arch, opts.toolchain ?? 'gcc').makeVars];
  if (opts.allconfig !== undefined) {
    writeFileSync(join(dir, 'allconfig.frag'), opts.allconfig);
    vars.push(`KCONFIG_ALLCONFIG=${join(dir, 'allconfig.frag')}`);
  }
  if (opts.input !== undefined) writeFileSync(config, opts.input);
  // Async: a configure run takes seconds and must not block the test worker.
  const env = { ...process.env };
  delete env.KCONFIG_WERROR; // conf treats any value, even empty, as "warnings are errors"
  await promisify(execFile)('make', ['-s', '-C', opts.srcDir, `O=${dir}`, ...vars, ...opts.targets], { env });
  writeFileSync(stamp, '');
  return { dir, config };
}

/** The kernel's conf binary for a series, built once by a configure run. */
export async function kernelConf(srcDir: string): Promise<string> {
  const run = await kernelConfigure({ srcDir, arch: 'x86_64', targets: ['allnoconfig'] });
  return join(run.dir, 'scripts/kconfig/conf');
}

/**
 * Runs conf on a small Kconfig directory the way scripts/kconfig/tests do:
 * srctree is the case directory, the working directory a scratch copy.
 */
export function runConf(conf: string, caseDir: string, mode: string, input?: string, env: Record<string, string> = {}): string {
  const work = join(cacheDir('kconfig-ref'), 'conf-runs', sha256(caseDir + mode + (input ?? '')).slice(0, 12));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  if (input !== undefined) writeFileSync(join(work, '.config'), input);
  execFileSync(conf, [mode, 'Kconfig'], {
    cwd: work,
    env: { ...process.env, srctree: caseDir, KCONFIG_DEFCONFIG_LIST: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const out = readFileSync(join(work, '.config'), 'utf8');
  rmSync(work, { recursive: true, force: true });
  return out;
}
