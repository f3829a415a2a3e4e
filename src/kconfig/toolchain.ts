// What the kernel's Makefile hands to Kconfig: environment variables (ARCH,
// SRCARCH, CC, LD, srctree, CC_VERSION_TEXT, ...) and a shell for the
// compiler probes ($(cc-option,...), $(success,...), cc-version.sh). We do not
// reimplement the probes: we run the same commands, once, and remember their
// output per toolchain under the cache directory.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EnvironmentError, InputError } from '../util/errors.ts';
import { sha256 } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import type { KbuildTarget } from './kbuild.ts';

/** The kernel's version from its Makefile: e.g. { version: '6.12.117', series: [6, 12] }. */
export function kernelVersionOf(srcDir: string): { version: string; major: number; minor: number } {
  let text: string;
  try {
    text = readFileSync(join(srcDir, 'Makefile'), 'utf8');
  } catch {
    throw new InputError(srcDir, 'not a kernel source tree (no Makefile)');
  }
  const field = (k: string) => new RegExp(`^${k}[ \\t]*=[ \\t]*(\\S*)`, 'm').exec(text)?.[1] ?? '';
  const major = Number(field('VERSION'));
  const minor = Number(field('PATCHLEVEL'));
  if (!major || Number.isNaN(minor)) throw new InputError(join(srcDir, 'Makefile'), 'no VERSION/PATCHLEVEL');
  const sub = field('SUBLEVEL');
  return { version: `${major}.${minor}${sub ? `.${sub}` : ''}${field('EXTRAVERSION')}`, major, minor };
}

/**
 * The environment of a configured tree: conf writes every variable it read to
 * include/config/auto.conf.cmd (`ifneq "$(CC)" "gcc"`). Accepts that file or
 * the build directory holding it.
 */
export function envFromConfiguredTree(path: string): Record<string, string> {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) file = join(path, 'include/config/auto.conf.cmd');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, 'cannot read (expected include/config/auto.conf.cmd of a configured kernel tree)');
  }
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^ifneq "\$\(([^)]+)\)" "(.*)"$/gm)) env[m[1]!] = m[2]!;
  if (!env.SRCARCH) throw new InputError(file, 'no SRCARCH: not written by a kernel configure step');
  return env;
}

/** The configured build directory a .config lies in (conf wrote include/config/auto.conf.cmd beside it), if any. */
export function configuredDir(configFile: string): string | undefined {
  return existsSync(join(dirname(configFile), 'include/config/auto.conf.cmd')) ? dirname(configFile) : undefined;
}

/**
 * The environment the Kconfig engine must see for a build of `target`: what
 * the top Makefile would export (the variables Kconfig files read, the
 * compiler's version text). gcc's is derived without running make; clang's
 * is asked of the kernel's Makefile (envFromMake), which alone knows its
 * CLANG_FLAGS.
 */
export function kconfigEnv(srcDir: string, target: KbuildTarget): Record<string, string> {
  if (target.toolchain === 'clang') return envFromMake(srcDir, target.makeVars);
  const key = `${srcDir}\0${target.cc}`;
  let env = derived.get(key);
  if (!env) derived.set(key, (env = computeEnv(srcDir, target)));
  return { ...env };
}
const derived = new Map<string, Record<string, string>>();

/**
 * What a derived (gcc) kconfigEnv()'s answer rests on, read without running
 * anything: the tools it and the compiler probes ask, as PATH finds them
 * (resolved path, size, mtime).
 */
export function derivedEnvStamp(target: KbuildTarget): string[] {
  return [...[target.cc, target.ld, 'rustc', 'pahole'].map(onPath), installedPackages()];
}

/**
 * When the host's package set last changed (dpkg's status file): probes read
 * more than the compiler binary (a gcc plugin header decides GCC_PLUGINS), so
 * installing or removing a package must not keep yesterday's answers.
 */
export function installedPackages(): string {
  try {
    return `dpkg:${statSync('/var/lib/dpkg/status').mtimeMs}`;
  } catch {
    return 'dpkg: none';
  }
}

function onPath(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    try {
      const st = statSync(join(dir, cmd));
      if (st.isFile()) return `${realpathSync(join(dir, cmd))}:${st.size}:${st.mtimeMs}`;
    } catch {
      // not in this directory
    }
  }
  return `${cmd}: not on PATH`;
}

function computeEnv(srcDir: string, target: KbuildTarget): Record<string, string> {
  const { ARCH, SRCARCH, crossCompile, cc } = target;
  const env: Record<string, string> = {
    ARCH,
    SRCARCH,
    srctree: srcDir,
    KERNELVERSION: kernelVersionOf(srcDir).version,
    CC: cc,
    LD: target.ld,
    AR: `${crossCompile}ar`,
    NM: `${crossCompile}nm`,
    OBJCOPY: `${crossCompile}objcopy`,
    RUSTC: 'rustc',
    BINDGEN: 'bindgen',
    PAHOLE: 'pahole',
    PYTHON3: 'python3',
    CC_VERSION_TEXT: firstLine(cc, ['--version'], { LC_ALL: 'C' }).replace(/#/g, ''),
    RUSTC_VERSION_TEXT: firstLine('rustc', ['--version']).replace(/#/g, ''),
  };
  if (crossCompile) env.CROSS_COMPILE = crossCompile;
  // 6.18+ computes pahole's version in the Makefile (before, init/Kconfig ran the script itself).
  if (/^export .*\bPAHOLE_VERSION\b/m.test(readFileSync(join(srcDir, 'Makefile'), 'utf8'))) {
    // The script prints 0 and exits 1 without pahole: its output is the value either way.
    const out = spawnSync(join(srcDir, 'scripts/pahole-version.sh'), ['pahole'], { encoding: 'utf8' }).stdout ?? '';
    env.PAHOLE_VERSION = out.split('\n')[0] ?? '';
  }
  return env;
}

function firstLine(cmd: string, args: string[], extraEnv: Record<string, string> = {}): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...extraEnv } });
    return out.split('\n')[0] ?? '';
  } catch {
    return '';
  }
}

/**
 * The environment for any toolchain, asked of the kernel's own Makefile: a
 * configure-only `make allnoconfig` with the build's make variables (e.g.
 * LLVM=-19) into a cache directory, once; conf records what it read in
 * include/config/auto.conf.cmd. Needed where computeEnv() cannot guess (clang's
 * CLANG_FLAGS), and it fills the probe cache on the way.
 */
export function envFromMake(srcDir: string, makeVars: readonly string[]): Record<string, string> {
  const dir = join(cacheDir('kconfig-env'), sha256(JSON.stringify([srcDir, makeVars])).slice(0, 16));
  const recorded = join(dir, 'include/config/auto.conf.cmd');
  if (!existsSync(recorded)) {
    const r = spawnSync('make', ['-s', '-C', srcDir, `O=${dir}`, ...makeVars, 'allnoconfig'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      const why = (r.stderr ?? r.error?.message ?? '').trim().split('\n').pop();
      throw new EnvironmentError(`configuring ${srcDir} (${makeVars.join(' ')}) failed: ${why}`);
    }
  }
  return envFromConfiguredTree(dir);
}

export interface ShellRunner {
  run(cmd: string): string;
  /** Persists new answers (no-op when nothing changed). */
  save(): void;
}

/**
 * Runs `sh -c` like popen() in conf: stdout only, exit status ignored, with
 * the toolchain's environment, in a scratch directory (cc-option makes
 * .tmp_$$ directories there). Answers are cached per environment and host package set.
 */
export function cachedShell(env: Record<string, string>): ShellRunner {
  const key = sha256(JSON.stringify([...Object.entries(env).sort(), installedPackages()]));
  const file = join(cacheDir('kconfig-shell'), `${key.slice(0, 32)}.json`);
  let answers: Record<string, string>;
  try {
    answers = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    answers = {}; // no cache yet, or a damaged one: the commands simply run again
  }
  let dirty = false;
  let scratch: string | undefined;
  const childEnv = { ...process.env, ...env, LC_COLLATE: 'C', LC_NUMERIC: 'C' };
  return {
    run(cmd) {
      const known = answers[cmd];
      if (known !== undefined) return known;
      scratch ??= mkdtempSync(join(tmpdir(), 'capsem-kconfig-'));
      const r = spawnSync('/bin/sh', ['-c', cmd], {
        cwd: scratch,
        env: childEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 1 << 20,
      });
      const out = r.stdout ?? '';
      answers[cmd] = out;
      dirty = true;
      return out;
    },
    save() {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      scratch = undefined;
      if (!dirty) return;
      mkdirSync(cacheDir('kconfig-shell'), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(answers));
      renameSync(tmp, file);
      dirty = false;
    },
  };
}
