import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { configArch, configKernelSeries, type DotConfig, readDotConfig } from '../kconfig/dotconfig.ts';
import type { Evaluation } from '../kconfig/evaluate.ts';
import type { KconfigTree } from '../kconfig/tree.ts';
import { configuredDir } from '../kconfig/toolchain.ts';
import { cachedKernelTree } from '../kconfig/kernel-trees.ts';
import { type Arch, type KernelSeries, SECTIONS, type Section, type Toolchain } from '../policy/index.ts';
import { InputError, UsageError } from '../util/errors.ts';
import { auditConfig, type AuditReport, type AuditStatus } from './index.ts';

// Auditing files: one config or a fleet of them in one process. A file's arch
// and series come from its header unless given; each (tree, arch) Kconfig tree
// is parsed once and evaluated per config, so a fleet pays for the engine once
// per kernel series, not once per file. The fleet's report is the per-config
// reports plus a config x section matrix of counts.

export interface AuditorOptions {
  /** Overrides for every file; a file that says otherwise is an input error. */
  arch?: Arch;
  kernel?: KernelSeries;
  toolchain: Toolchain;
  cmdline?: string;
  /** Audit the text only: why (e.g. '--text-only'). */
  textOnly?: string;
  /** The kernel tree to evaluate with (the caller resolved --source); default: the build cache's tree for each file's series. */
  srcDir?: string;
  cacheRoot: string;
  /** One line per read warning or note, with file:line. */
  warn(line: string): void;
}

export interface ConfigAuditor {
  audit(file: string): Promise<AuditReport>;
  /** The same for a config already read (leniently, as audit reads it). */
  auditRead(config: DotConfig): Promise<AuditReport>;
  /** Kconfig trees parsed so far (once per source tree, arch and toolchain environment). */
  readonly treesLoaded: number;
}

type Evaluated = { evaluation: Evaluation; kbuildReason: (symbol: string) => string } | { noTree: string };

export function configAuditor(opts: AuditorOptions): ConfigAuditor {
  const trees = new Map<string, KconfigTree>();
  let firstEvaluation = true;
  const treeFor = async (srcDir: string, arch: Arch, file: string): Promise<KconfigTree> => {
    const id = JSON.stringify([srcDir, arch, opts.toolchain, configuredDir(file) ?? null]);
    let tree = trees.get(id);
    if (!tree) {
      const { loadTreeFor } = await import('../kconfig/tree.ts');
      tree = await loadTreeFor({ srcDir, arch, toolchain: opts.toolchain, configFile: file, cacheRoot: opts.cacheRoot });
      trees.set(id, tree);
    }
    return tree;
  };

  /**
   * The file evaluated as kbuild builds it, with the given tree or the build
   * cache's; or, without a tree, why the audit reads the text only. The Kconfig
   * engine loads only here: a text-only audit never pays for it.
   */
  const evaluateConfig = async (config: DotConfig, file: string, target: { arch: Arch; kernel: KernelSeries; toolchain: Toolchain }): Promise<Evaluated> => {
    const srcDir = opts.srcDir ?? cachedKernelTree(target.kernel, opts.cacheRoot);
    if (srcDir === undefined) {
      return { noTree: `no Linux ${target.kernel} tree in the build cache; --source DIR|TARBALL evaluates it as kbuild would` };
    }
    const [tree, { assignmentsOf, evaluate }, { explainSymbol }] = await Promise.all([
      treeFor(srcDir, target.arch, file),
      import('../kconfig/evaluate.ts'),
      import('../kconfig/explain.ts'),
    ]);
    if (tree.series !== target.kernel) throw new InputError(srcDir, `is Linux ${tree.series}, not ${target.kernel} (${file})`);
    // On demand: the audit asks for its rules' symbols (and explain for theirs), not all ~18k.
    const evaluation = evaluate(tree, { mode: 'olddefconfig', config: assignmentsOf(config) }, { onDemand: true });
    if (evaluation.read.unknown.length) {
      opts.warn(`${file}: ${evaluation.read.unknown.length} symbols unknown to Linux ${tree.version} ${target.arch} (ignored, as conf does)`);
    }
    return { evaluation, kbuildReason: (symbol) => explainSymbol(evaluation, symbol).reason };
  };

  return {
    get treesLoaded() {
      return trees.size;
    },
    audit(file) {
      return this.auditRead(readDotConfig(file, { lenient: true }));
    },
    async auditRead(config) {
      const file = config.file;
      for (const w of config.warnings) opts.warn(`${file}:${w.line}: warning: ${w.message}`);
      const target = { ...targetOf(config, file, opts), toolchain: opts.toolchain };
      const quick = opts.textOnly === undefined && firstEvaluation;
      firstEvaluation &&= !quick;
      if (quick) withoutOptimizer(true);
      try {
        const evaluated = opts.textOnly !== undefined ? { noTree: opts.textOnly } : await evaluateConfig(config, file, target);
        return auditConfig({ config, target, ...evaluated, ...(opts.cmdline !== undefined ? { cmdline: opts.cmdline } : {}) });
      } finally {
        if (quick) withoutOptimizer(false);
      }
    },
  };
}

/**
 * V8's optimising compiler off (or back on): the first evaluated audit of a
 * process is over before TurboFan's compiles of the engine pay for themselves
 * (bench/audit.ts: they were ~1/6 of the instructions of a whole `audit` run,
 * and on a busy 2-core host they compete with the audit itself); a fleet's
 * later files get them. Left alone when node was started with its own setting.
 */
function withoutOptimizer(off: boolean): void {
  if (/--(no-)?(opt|turbofan)\b/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '))) return;
  setFlagsFromString(off ? '--no-opt' : '--opt');
}

/** The arch and series a file is audited for: the options', checked against its header, or the header's. */
function targetOf(config: DotConfig, file: string, opts: AuditorOptions): { arch: Arch; kernel: KernelSeries } {
  const found = configArch(config);
  if (found === 'unknown') {
    throw new InputError(file, `config is for Linux/${config.header!.arch}, not a supported arch (x86_64, arm64)`);
  }
  if (opts.arch !== undefined && found !== undefined && found !== opts.arch) {
    throw new InputError(file, `config is for ${found}, not --arch ${opts.arch}`);
  }
  const arch = opts.arch ?? found;
  if (arch === undefined) throw new UsageError(`audit: ${file} does not say its arch; pass --arch`);
  const kernel = opts.kernel ?? configKernelSeries(config);
  if (kernel === undefined) throw new UsageError(`audit: ${file} does not say its kernel version; pass --kernel`);
  return { arch, kernel };
}

/**
 * The kernel configs directly in `dir`, sorted by name (plain, .gz or .xz):
 * files with a `CONFIG_` line or kbuild's header. Anything else (a README, a
 * binary) is listed in `skipped` with the reason, never audited as an empty config.
 */
export function kernelConfigsIn(dir: string): { configs: DotConfig[]; skipped: { file: string; why: string }[] } {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(dir, code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : `cannot list (${code})`);
  }
  const configs: DotConfig[] = [];
  const skipped: { file: string; why: string }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    try {
      const config = readDotConfig(file, { lenient: true });
      if (config.values.size === 0 && config.header === undefined) skipped.push({ file, why: 'not a kernel config (no CONFIG_ line)' });
      else configs.push(config);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      skipped.push({ file, why: e.message.slice(file.length + 2) });
    }
  }
  if (configs.length === 0) throw new InputError(dir, 'holds no kernel config');
  return { configs, skipped };
}

/** Counts per status, as the matrix shows them. */
export interface StatusCounts {
  pass: number;
  fail: number;
  waived: number;
  unverified: number;
}

export interface FleetRow {
  file: string;
  target: AuditReport['target'];
  basis: AuditReport['basis']['kind'];
  sections: Partial<Record<Section, StatusCounts>>;
  total: StatusCounts;
}

export interface FleetReport {
  reports: AuditReport[];
  matrix: FleetRow[];
  summary: { configs: number; failing: number; unverified: number; passing: number };
}

function counts(statuses: Iterable<AuditStatus>): StatusCounts {
  const c: StatusCounts = { pass: 0, fail: 0, waived: 0, unverified: 0 };
  for (const s of statuses) if (s !== 'not-applicable') c[s]++;
  return c;
}

export function fleetReport(reports: AuditReport[]): FleetReport {
  const matrix = reports.map((r): FleetRow => {
    const sections: Partial<Record<Section, StatusCounts>> = {};
    for (const section of Object.keys(SECTIONS) as Section[]) {
      const here = r.results.filter((x) => x.section === section);
      if (here.length) sections[section] = counts(here.map((x) => x.status));
    }
    return { file: r.file, target: r.target, basis: r.basis.kind, sections, total: counts(r.results.map((x) => x.status)) };
  });
  const failing = reports.filter((r) => r.summary.fail > 0).length;
  const unverified = reports.filter((r) => r.summary.fail === 0 && r.summary.unverified > 0).length;
  return { reports, matrix, summary: { configs: reports.length, failing, unverified, passing: reports.length - failing - unverified } };
}

/** A short label for a config in the text matrix: its name, or its last two path parts when names repeat. */
export function fleetLabels(files: readonly string[]): string[] {
  const names = files.map((f) => basename(f));
  return files.map((f, i) =>
    names.filter((n) => n === names[i]).length > 1 ? join(basename(dirname(f)), names[i]!) : names[i]!,
  );
}
