// A parsed and finalised Kconfig tree for one arch of one kernel source tree.
// Finalising is menu.c's menu_finalize(): every entry's dependencies flow into
// its children, prompts and defaults; `select`/`imply` become the target's
// reverse dependencies; choices learn their members.

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Arch, Toolchain } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';
import { andExpr, type Expr, orExpr, rewriteM, symExpr } from './expr.ts';
import { MacroError } from './macro.ts';
import { type Dialect, KconfigSyntaxError, parseKconfig, type ParsedKconfig } from './parser.ts';
import { type KSymbol, type MenuNode, menuEntries } from './symbol.ts';
import { cachedTree } from './tree-cache.ts';
import { kbuildTarget } from './kbuild.ts';
import { cachedShell, configuredDir, derivedEnvStamp, envFromConfiguredTree, kconfigEnv, kernelVersionOf } from './toolchain.ts';

export interface KconfigTree extends ParsedKconfig {
  srcDir: string;
  /** Undefined for a standalone Kconfig file (tests). */
  arch: Arch | undefined;
  /** The kernel release, e.g. 6.12.117. */
  version: string;
  /** major.minor, e.g. 6.12. */
  series: string;
  dialect: Dialect;
  /** The main menu title (Linux/x86_64 6.12.117 Kernel Configuration). */
  title: string;
  /** The environment the preprocessor saw. */
  env: Record<string, string>;
  /** Every menu entry, depth first in file order (the order conf writes .config in). */
  entries: MenuNode[];
}

export interface LoadOptions {
  srcDir: string;
  arch: Arch;
  /**
   * A configured kernel tree (build directory, or its include/config/auto.conf.cmd):
   * its recorded environment is used, so the compiler probes answer as they did there.
   * Without it, the environment of a `toolchain` build of `arch` (./kbuild.ts, ./toolchain.ts).
   */
  toolchainConfig?: string;
  /** Whose compiler probes the tree sees when no toolchainConfig or env is given; default gcc. */
  toolchain?: Toolchain;
  /** An explicit environment (tests); overrides toolchainConfig. */
  env?: Record<string, string>;
  /** Answers to $(shell,...) (tests); default: run them, cached per toolchain. */
  shell?: (cmd: string) => string;
  /** Keep the parsed tree under this cache root (kconfig-tree/) and reuse it while its files are unchanged. */
  cacheRoot?: string;
}

/** Parses and finalises the Kconfig tree of `srcDir` for `arch`. */
export function loadKconfigTree(opts: LoadOptions): KconfigTree {
  const { major, minor, version } = kernelVersionOf(opts.srcDir);
  const target = kbuildTarget(opts.arch, opts.toolchain ?? 'gcc');
  // clang's environment comes from make (no cheaper stamp): it is given, like a recorded one.
  const given =
    opts.env ??
    (opts.toolchainConfig ? envFromConfiguredTree(opts.toolchainConfig) : target.toolchain === 'clang' ? kconfigEnv(opts.srcDir, target) : undefined);
  const parse = () => {
    const env = given ?? kconfigEnv(opts.srcDir, target);
    const runner = opts.shell ? undefined : cachedShell(env);
    try {
      return load({
        dir: opts.srcDir,
        file: 'Kconfig',
        dialect: { legacy: major < 6 || (major === 6 && minor < 11), transitional: major > 6 || (major === 6 && minor >= 18) },
        env,
        shell: opts.shell ?? ((cmd) => runner!.run(cmd)),
        arch: opts.arch,
        version,
        series: `${major}.${minor}`,
      });
    } finally {
      runner?.save();
    }
  };
  // A test's shell answers probes its own way: such trees are never cached.
  if (!opts.cacheRoot || opts.shell) return parse();
  // A derived (gcc) environment is keyed by the tools it comes from: a cache hit runs no compiler.
  const toolchain = given ? Object.entries(given).sort() : derivedEnvStamp(target);
  return cachedTree(opts.cacheRoot, [opts.srcDir, opts.arch, version, toolchain], parse);
}

/**
 * The tree a .config is read against, as kbuild reads it: one inside a configured build directory brings the
 * environment recorded there (refused when recorded for another arch); any other, `toolchain`'s. `provide` runs
 * first where that environment is asked of make, which needs the toolchain's compiler (clang): it installs it.
 */
export async function loadTreeFor(
  opts: Pick<LoadOptions, 'srcDir' | 'arch' | 'cacheRoot'> & { toolchain: Toolchain; configFile?: string; provide?: () => Promise<unknown> },
): Promise<KconfigTree> {
  const { toolchain, configFile, provide, ...base } = opts;
  const built = configFile === undefined ? undefined : configuredDir(configFile);
  if (!built) {
    if (toolchain === 'clang') await provide?.();
    return loadKconfigTree({ ...base, toolchain });
  }
  const env = envFromConfiguredTree(built);
  if (env.SRCARCH !== kbuildTarget(opts.arch, toolchain).SRCARCH) throw new InputError(configFile!, `was configured for ${env.SRCARCH}, not ${opts.arch}`);
  return loadKconfigTree({ ...base, env });
}

/**
 * A standalone Kconfig file (tests, golden cases): `source` paths are relative
 * to `dir`, as with srctree=dir. `legacy` picks the pre-6.11 rules.
 */
export function loadKconfigFile(opts: {
  dir: string;
  file?: string;
  legacy: boolean;
  /** 6.18+ syntax (transitional symbols, `depends on X if Y`). */
  transitional?: boolean;
  env?: Record<string, string>;
  shell?: (cmd: string) => string;
}): KconfigTree {
  const series = opts.legacy ? '6.1' : opts.transitional ? '7.3' : '6.12';
  return load({
    dir: opts.dir,
    file: opts.file ?? 'Kconfig',
    dialect: { legacy: opts.legacy, transitional: opts.transitional ?? false },
    env: opts.env ?? {},
    shell: opts.shell ?? (() => ''),
    version: series,
    series,
  });
}

function load(o: {
  dir: string;
  file: string;
  dialect: Dialect;
  env: Record<string, string>;
  shell: (cmd: string) => string;
  arch?: Arch;
  version: string;
  series: string;
}): KconfigTree {
  try {
    const parsed = parseKconfig(o.file, {
      dialect: o.dialect,
      readFile: (p) => readSource(o.dir, p),
      env: (name) => o.env[name],
      shell: o.shell,
    });
    finalize(parsed, o.dialect);
    return {
      ...parsed,
      srcDir: o.dir,
      arch: o.arch,
      version: o.version,
      series: o.series,
      dialect: o.dialect,
      title: parsed.root.prompt?.text ?? 'Main menu',
      env: o.env,
      entries: menuEntries(parsed.root),
    };
  } catch (e) {
    if (e instanceof KconfigSyntaxError || e instanceof MacroError) {
      throw new InputError(join(o.dir, e.file), e.message, e.line);
    }
    throw e;
  }
}

function readSource(srcDir: string, path: string): string | undefined {
  try {
    return readFileSync(isAbsolute(path) ? path : join(srcDir, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** menu_finalize() without the menu-display reshaping (auto-submenus), which values do not depend on. */
export function finalize(p: ParsedKconfig, dialect: Dialect): void {
  const rw = (e: Expr | undefined) => rewriteM(e, p.mod, p.modules);
  const visit = (parent: MenuNode, insideChoice: boolean): void => {
    const sym = parent.sym;
    if (parent.children.length) {
      let parentDep = parent.dep;
      if (dialect.legacy && sym?.isChoice) {
        inferChoiceType(parent, sym);
        // 6.1: the choice's own value bounds its members.
        parentDep = symExpr(sym);
      }
      for (const child of parent.children) {
        child.dep = andExpr(parentDep, rw(child.dep));
        const props = child.sym ? child.sym.props : child.prompt ? [child.prompt] : [];
        for (const prop of props) {
          if (prop.menu !== child) continue;
          prop.cond = andExpr(child.dep, rw(prop.cond));
          if (prop.kind === 'select' || prop.kind === 'imply') {
            const target = (prop.expr as { t: 'sym'; s: KSymbol }).s;
            const term = andExpr(symExpr(child.sym!), prop.cond)!;
            if (prop.kind === 'select') target.revDep = orExpr(target.revDep, term);
            else target.implied = orExpr(target.implied, term);
          }
        }
      }
      for (const child of parent.children) visit(child, sym?.isChoice === true);
    } else if (sym && (dialect.legacy || !insideChoice)) {
      sym.dirDep = orExpr(sym.dirDep, parent.dep);
    }
    if (dialect.legacy && sym?.isChoice) {
      parent.members = membersOf(parent);
      // A non-optional choice cannot be n while visible: a select of `visibility && m`.
      if (!sym.optional && parent.prompt) sym.revDep = orExpr(sym.revDep, andExpr(parent.prompt.cond, symExpr(p.mod)));
    }
  };
  visit(p.root, false);
  for (const choice of p.choices) {
    for (const member of choice.members!) member.choice ??= choice;
  }
}

/** 6.1: a choice without a type takes its first member's; untyped members take the choice's. */
function inferChoiceType(choice: MenuNode, sym: KSymbol): void {
  if (sym.type === 'unknown') {
    const typed = choice.children.find((c) => c.sym && c.sym.type !== 'unknown');
    if (typed) sym.type = typed.sym!.type;
  }
  for (const c of choice.children) if (c.sym && c.sym.type === 'unknown') c.sym.type = sym.type;
}

/** The config entries of a choice, looking through `if` blocks, each symbol once. */
function membersOf(choice: MenuNode): KSymbol[] {
  const out: KSymbol[] = [];
  const walk = (m: MenuNode) => {
    for (const c of m.children) {
      if (c.sym && !out.includes(c.sym)) out.push(c.sym);
      if (c.kind === 'if') walk(c);
    }
  };
  walk(choice);
  return out;
}
