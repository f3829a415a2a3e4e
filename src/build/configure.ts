import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { auditConfig, type AuditReport } from '../audit/index.ts';
import { parseDotConfig, type DotConfig } from '../kconfig/dotconfig.ts';
import { renderFragment, requestedOptions } from '../kconfig/fragment.ts';
import { releaseDigest } from '../kconfig/release.ts';
import { loadKconfigTree, type KconfigTree } from '../kconfig/tree.ts';
import { DEFAULT_KERNEL, type Arch, type KernelSeries, type Target, type Toolchain } from '../policy/index.ts';
import { CheckFailedError, InputError, UsageError } from '../util/errors.ts';
import { sha256 } from '../util/fs.ts';
import { cacheRoot } from '../util/paths.ts';
import { cachePaths, type CachePaths } from './cache.ts';
import { keyInputs } from './key.ts';
import { tryCapture } from './host.ts';
import { runMake } from './make.ts';
import { resolveSource, type KernelSource } from './source.ts';
import { checkSurvival, effectiveRequests, isDefinedIn, withReasons, type Casualty, type RequestedOption } from './survival.ts';
import { resolveToolchain, type ToolchainInfo } from './toolchain.ts';

// From options to a configured, checked kernel tree: resolve the source and
// toolchain, render the fragment, run allnoconfig + olddefconfig out-of-tree,
// then the survival check and the audit. Nothing is compiled here.

export type BuildStage = 'source' | 'toolchain' | 'cache' | 'configure' | 'survival' | 'audit' | 'compile' | 'artifacts';

export interface BuildProgress {
  stage: BuildStage;
  message: string;
  /** compile: objects compiled so far and the estimated total. */
  done?: number;
  total?: number;
  elapsedSeconds: number;
}

export interface ConfigureOptions {
  arch: Arch;
  kernel?: KernelSeries;
  toolchain?: Toolchain;
  /** A tarball (needs sha256) or a kernel tree directory; default Debian's linux-source-<kernel>. */
  source?: string;
  sha256?: string;
  /** TEST ONLY: a fragment file whose lines apply after the policy's (survival-checked too). Makes the kernel unsafe. */
  extraFragment?: string;
  /** TEST ONLY: record audit failures in the manifest instead of stopping. Makes the kernel unsafe. */
  allowAuditFailures?: boolean;
  /** Compile through ccache when installed (default true). */
  useCcache?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
  /** Default process.cwd(); relative paths (source, extraFragment, outDir) resolve against it. */
  cwd?: string;
  /** Default process.env: CAPSEM_CACHE_DIR and CCACHE_* are read from here. */
  env?: NodeJS.ProcessEnv;
}

/** Some requested lines did not survive olddefconfig. A policy failure: exit 1. */
export class CasualtiesError extends CheckFailedError {
  override name = 'CasualtiesError';
  constructor(readonly casualties: (Casualty & { reason: string })[]) {
    const lines = casualties.map(
      (c) =>
        `  CONFIG_${c.symbol}: requested ${c.requested}, final ${c.final ?? 'absent (n)'} [${c.origin.kind} ${c.origin.id}]: ${c.reason}`,
    );
    super(
      `build: ${casualties.length} requested option${casualties.length === 1 ? '' : 's'} did not survive olddefconfig; nothing compiled:\n${lines.join('\n')}`,
    );
  }
}

/** The final .config fails policy rules. A policy failure: exit 1. */
export class AuditFailedError extends CheckFailedError {
  override name = 'AuditFailedError';
  constructor(readonly report: AuditReport) {
    super(`build: the audit failed ${report.summary.fail} rule(s) on the final .config; nothing compiled:\n${auditFailures(report).map((f) => `  ${f}`).join('\n')}`);
  }
}

export function auditFailures(report: AuditReport): string[] {
  return report.results.filter((r) => r.status === 'fail').map((r) => `${r.rule}: ${r.symbol ?? r.title} expected ${r.expected}, got ${r.actual}`);
}

/** Everything a build needs before running make; the cache key is known here. */
export interface Prepared {
  target: Target;
  source: KernelSource;
  toolchain: ToolchainInfo;
  fragment: string;
  requested: RequestedOption[];
  reproducible: { timestamp: string; user: string; host: string; version: string };
  key: string;
  paths: CachePaths;
  cacheRoot: string;
  /** make's environment: the caller's (CCACHE_* included) minus anything that would steer kbuild, plus ours. */
  makeEnv: NodeJS.ProcessEnv;
  makeArgs: string[];
  unsafeReasons: string[];
  startedAt: number;
  progress(stage: BuildStage, message: string, extra?: { done: number; total: number }): void;
}

// Inherited variables that would change what kbuild does (or where it writes) behind our back.
const STEERING = /^(KCONFIG_|KBUILD_)|^(ARCH|CROSS_COMPILE|LLVM|LLVM_IAS|CC|LD|AR|HOSTCC|O|V|W|C|CFLAGS|KCFLAGS|KAFLAGS|KCPPFLAGS|LOCALVERSION|INSTALL_PATH|MAKEFLAGS|MFLAGS|MAKELEVEL)$/;

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !STEERING.test(k)));
}

function extraRequests(config: DotConfig): RequestedOption[] {
  return [...config.values].map(([symbol, value]) => ({
    symbol,
    value,
    origin: { kind: 'extra', id: `${config.file}:${config.lines.get(symbol)}` },
  }));
}

export async function prepare(opts: ConfigureOptions): Promise<Prepared> {
  const startedAt = Date.now();
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const progress = (stage: BuildStage, message: string, extra?: { done: number; total: number }) => {
    try {
      opts.onProgress?.({ stage, message, elapsedSeconds: (Date.now() - startedAt) / 1000, ...extra });
    } catch {
      // a progress display must never break a build
    }
  };
  if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256)) {
    throw new UsageError('build: --sha256 must be 64 hex digits');
  }
  const target: Target = { arch: opts.arch, kernel: opts.kernel ?? DEFAULT_KERNEL, toolchain: opts.toolchain ?? 'gcc' };
  const root = cacheRoot(env);

  // Read the extra fragment first: a bad file is a usage problem, reported before any slow step.
  let extra: { text: string; config: DotConfig } | undefined;
  if (opts.extraFragment !== undefined) {
    const file = resolve(cwd, opts.extraFragment);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new InputError(file, 'cannot read the extra fragment');
    });
    extra = { text, config: parseDotConfig(text, file) };
  }

  progress('source', `Linux ${target.kernel} source`);
  const source = await resolveSource({
    kernel: target.kernel,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.sha256 !== undefined ? { sha256: opts.sha256 } : {}),
    cwd,
    cacheRoot: root,
    say: (m) => progress('source', m),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  progress('toolchain', `${target.toolchain} for ${target.arch}`);
  const toolchain = await resolveToolchain(target.arch, target.toolchain, {
    useCcache: opts.useCcache ?? true,
    say: (m) => progress('toolchain', m),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });

  let fragment = renderFragment(target);
  const requested: RequestedOption[] = requestedOptions(target).map(({ symbol, value, origin }) => ({ symbol, value, origin }));
  const unsafeReasons: string[] = [];
  if (extra) {
    // Named by content, not path: the build cache key must not change with where the file lives.
    fragment += `\n# TEST ONLY (--unsafe-extra-fragment, sha256 ${sha256(extra.text)}): applied after the policy\n${extra.text.trimEnd()}\n`;
    requested.push(...extraRequests(extra.config));
    unsafeReasons.push(`extra fragment ${extra.config.file} (sha256 ${sha256(extra.text)})`);
  }
  if (opts.allowAuditFailures) unsafeReasons.push('audit failures allowed');

  const { key, reproducible } = keyInputs({ target, sourceSha256: source.sha256, sourceDate: source.date, toolchainBanner: toolchain.banner, fragment });
  const paths = cachePaths(root, key, toolchain.kbuild.image.format);
  const makeEnv: NodeJS.ProcessEnv = {
    ...cleanEnv(env),
    LC_ALL: 'C',
    KBUILD_BUILD_TIMESTAMP: reproducible.timestamp,
    KBUILD_BUILD_USER: reproducible.user,
    KBUILD_BUILD_HOST: reproducible.host,
    KBUILD_BUILD_VERSION: reproducible.version,
  };
  const makeArgs = ['-C', source.tree, `O=${paths.obj}`, ...toolchain.makeVars];
  return { target, source, toolchain, fragment, requested, reproducible, key, paths, cacheRoot: root, makeEnv, makeArgs, unsafeReasons, startedAt, progress };
}

/**
 * The Kconfig engine's view of the source tree. The O= tree's recorded toolchain
 * environment exists once a build ran there (olddefconfig alone does not write it);
 * otherwise the engine gets the build's toolchain's (kconfigEnv), its probes cached per toolchain.
 * The casualties of a clang configure are explained with clang's probes.
 */
function loadTree(prep: Prepared): KconfigTree {
  const recorded = join(prep.paths.obj, 'include/config/auto.conf.cmd');
  return loadKconfigTree({
    srcDir: prep.source.tree,
    arch: prep.target.arch,
    toolchain: prep.target.toolchain,
    ...(existsSync(recorded) ? { toolchainConfig: recorded } : {}),
  });
}

export interface Configured extends Prepared {
  config: DotConfig;
  configSha256: string;
  audit: AuditReport;
  kernelRelease: string;
  /** The config digest the release names (`<version>-capsem-<digest>`). */
  releaseDigest: string;
}


/**
 * allnoconfig + fragment, olddefconfig, survival check, audit — in the cache
 * entry's O= tree. Throws CasualtiesError / AuditFailedError (exit 1).
 * The caller holds the cache entry's lock.
 */
export async function configure(
  prep: Prepared,
  opts: { signal?: AbortSignal; allowAuditFailures?: boolean },
): Promise<Configured> {
  const { paths, makeArgs, makeEnv, target } = prep;
  await mkdir(paths.obj, { recursive: true });
  await writeFile(paths.fragment, prep.fragment);
  await writeFile(paths.makeLog, '');
  const env = { ...makeEnv, KCONFIG_ALLCONFIG: paths.fragment };
  const make = (t: string) =>
    runMake({ args: [...makeArgs, t], env, logPath: paths.makeLog, what: `make ${t}`, ...(opts.signal ? { signal: opts.signal } : {}) });
  prep.progress('configure', 'allnoconfig + policy fragment');
  await make('allnoconfig');
  prep.progress('configure', 'olddefconfig');
  await make('olddefconfig');

  const configText = await readFile(join(paths.obj, '.config'), 'utf8');
  const config = parseDotConfig(configText, join(paths.obj, '.config'));

  const requested = effectiveRequests(prep.requested);
  prep.progress('survival', `${requested.length} requested lines vs the final .config`);
  // Most requested symbols are in the final .config, which proves they exist; the
  // engine's tree (a second or so to parse) loads only for the rest and for reasons.
  let tree: KconfigTree | undefined;
  const engineTree = () => (tree ??= loadTree(prep));
  let casualties = checkSurvival(requested, config.values, (s) => config.values.has(s) || isDefinedIn(engineTree(), s));
  // Unsafe test kernels: a weakening line may knock out policy lines that depend on
  // what it weakened (IA32_EMULATION=y forces COMPAT=y). Those are expected and land
  // in the manifest's unsafe reasons; the extra fragment's own lines must still survive.
  const hasExtra = requested.some((r) => r.origin.kind === 'extra');
  if (hasExtra && opts.allowAuditFailures) {
    for (const c of casualties.filter((c) => c.origin.kind !== 'extra')) {
      prep.unsafeReasons.push(`CONFIG_${c.symbol}: requested ${c.requested}, final ${c.final ?? 'absent (n)'} (knocked out by the extra fragment)`);
    }
    casualties = casualties.filter((c) => c.origin.kind === 'extra');
  }
  if (casualties.length) throw new CasualtiesError(withReasons(casualties, engineTree(), config.values));

  prep.progress('audit', 'policy rules vs the final .config');
  const audit = auditConfig({ config, target, writtenByKbuild: true });
  if (audit.summary.fail > 0 && !opts.allowAuditFailures) throw new AuditFailedError(audit);

  const digest = releaseDigest(configText);
  const namedArgs = [...makeArgs, `LOCALVERSION=-capsem-${digest}`];
  const release = await tryCapture('make', ['-s', '--no-print-directory', ...namedArgs, 'kernelrelease'], makeEnv);
  return {
    ...prep,
    makeArgs: namedArgs,
    config,
    configSha256: sha256(configText),
    audit,
    kernelRelease: release?.trim() || `${target.kernel}-capsem-${digest}`,
    releaseDigest: digest,
  };
}
