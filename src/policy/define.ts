// The vocabulary of the hardening policy. Everything else in capsem-kernel
// (defconfigs, audit, doctor expectations, docs) is derived from values of
// these types; nothing restates them.

export const ARCHS = ['x86_64', 'arm64'] as const;
export type Arch = (typeof ARCHS)[number];

/** Kernel versions we verify the policy against (Debian's linux-source-X). */
export const KERNELS = ['6.1', '6.12', '7.3'] as const;
export type KernelVersion = (typeof KERNELS)[number];
export const DEFAULT_KERNEL: KernelVersion = '6.12';

/**
 * Any kernel series, major.minor (5.10, 6.6, 6.18): what a .config can say it is.
 * Symbol names resolve for every series through version ranges; KERNELS are the
 * ones whose Kconfig trees the names were checked against.
 */
export type KernelSeries = `${number}.${number}`;

export function parseKernelSeries(s: string): KernelSeries | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(s);
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

/** Orders series numerically (6.9 < 6.12), for sorting and range checks. */
export function compareSeries(a: KernelSeries, b: KernelSeries): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

export const TOOLCHAINS = ['gcc', 'clang'] as const;
export type Toolchain = (typeof TOOLCHAINS)[number];
/** The compiler a build uses unless told otherwise: chosen by measurement (README "Toolchain"). */
export const DEFAULT_TOOLCHAIN: Toolchain = 'gcc';

export function isArch(s: string): s is Arch {
  return (ARCHS as readonly string[]).includes(s);
}
export function isKernelVersion(s: string): s is KernelVersion {
  return (KERNELS as readonly string[]).includes(s);
}

/** What a build is for: every rule is resolved against one of these. */
export interface Target {
  arch: Arch;
  /** A verified version (KERNELS) or any other series the symbol ranges cover (see isKernelVersion). */
  kernel: KernelSeries;
  toolchain: Toolchain;
}


/** Sections follow the spec's headings, plus what we add beyond it. */
export const SECTIONS = {
  'disabled-subsystems': 'Disabled subsystems',
  'memory-mitigations': 'Memory mitigations',
  'arch-hardening': 'Architecture-specific hardening',
  'beyond-spec': 'Beyond the spec (kernel hardening.config, KSPP)',
  cmdline: 'Boot command line',
  guest: 'Guest image properties',
} as const;
export type Section = keyof typeof SECTIONS;

/**
 * A value as written in a .config: 'y' | 'm' | 'n' (n = "is not set"),
 * a quoted string ('"foo"'), or a number ('123', '0x10').
 */
export type ConfigValue = string;

/** Why a symbol cannot be written for some kernel version. */
export interface Unexpressible {
  absent: string;
}

/**
 * One stretch of a symbol's history: its name (or why it has none) from the
 * `from` release on, up to the next span's `from`. The oldest span has no
 * `from`: it also covers every older release.
 */
export type SymbolSpan = { readonly from?: KernelSeries } & ({ readonly name: string } | Unexpressible);

/**
 * The real Kconfig symbol (without CONFIG_) over kernel history. A plain string
 * means the same name in every release; otherwise spans, oldest first, each
 * starting at the release that renamed, added or removed it, e.g.
 * `[{ name: 'RETPOLINE' }, { from: '6.9', name: 'MITIGATION_RETPOLINE' }]`.
 */
export type SymbolByVersion = string | readonly SymbolSpan[];

/** Releases from `from` (inclusive) up to `before` (exclusive); an omitted bound is open. */
export interface KernelRange {
  from?: KernelSeries;
  before?: KernelSeries;
}

/** A condition under which a waiver holds. Omitted fields match anything. */
export interface Condition {
  arch?: Arch;
  kernel?: KernelRange;
  toolchain?: Toolchain;
}

export interface Waiver {
  /** Omit `when` for a rule we never enforce. */
  when?: Condition;
  reason: string;
  link?: string;
}

/** Where a rule comes from: the spec's tables, the kernel's own fragments, KSPP, or us. */
export type RuleSource = 'spec' | 'kernel-hardening-config' | 'kspp' | 'capsem';

interface RuleBase<Id extends string, Check extends string> {
  id: Id;
  section: Section;
  /** The spec's row title (or ours for rules beyond the spec). */
  title: string;
  /** Why: the risk it removes; renames and removals are written down here too. */
  rationale: string;
  source: RuleSource;
  /** Default: every arch. */
  archs?: readonly Arch[];
  /** Conditions under which the rule is knowingly not enforced. */
  waivers?: readonly Waiver[];
  /** Doctor checks that verify this rule inside the running guest. */
  checks?: readonly Check[];
  /** When `checks` is empty: why the property cannot be observed from inside the guest. */
  unobservable?: string;
  /**
   * LKDTM tests (drivers/misc/lkdtm) whose attack this rule stops in the running kernel:
   * `capsem-kernel prove` runs each and a negative control with the rule's mitigation off.
   */
  proofs?: readonly string[];
}

export interface KconfigRule<Id extends string = string, Check extends string = string>
  extends RuleBase<Id, Check> {
  kind: 'kconfig';
  /** The spec's spelling, when it differs from a real symbol or to keep the alias searchable. */
  specName?: string;
  symbol: SymbolByVersion;
  value: ConfigValue;
  /** Some hardening exists only with one compiler (e.g. CFI_CLANG). */
  toolchain?: Toolchain;
  /**
   * Options that must also be set for this one to survive `make olddefconfig`
   * (its `depends on`): requested with it, but audited through their own rules only.
   */
  requires?: readonly { symbol: SymbolByVersion; value: ConfigValue }[];
}

export interface CmdlineRule<Id extends string = string, Check extends string = string>
  extends RuleBase<Id, Check> {
  kind: 'cmdline';
  param: string;
  /** `true` for a bare flag (`ro`), a string for `param=value`, or one value per arch. */
  value: true | string | { readonly [A in Arch]: string };
  /** Bare flags that undo this one when they come later (`rw` after `ro`: the kernel keeps the last). */
  cancelledBy?: readonly string[];
  /**
   * Kernels that read the parameter straight from the command line (cmdline_find_option)
   * without registering it, so it also reaches init although the kernel acted on it.
   */
  readUnregistered?: KernelRange;
}

/** A property of the guest image or its processes (no kernel option expresses it). */
export interface GuestRule<Id extends string = string, Check extends string = string>
  extends RuleBase<Id, Check> {
  kind: 'guest';
}

/** The boot command line is exactly the contract (src/policy/contract.ts): no token beyond it. */
export interface CmdlineContractRule<Id extends string = string, Check extends string = string>
  extends RuleBase<Id, Check> {
  kind: 'cmdline-contract';
}

export type Rule<Id extends string = string, Check extends string = string> =
  | KconfigRule<Id, Check>
  | CmdlineRule<Id, Check>
  | CmdlineContractRule<Id, Check>
  | GuestRule<Id, Check>;

/** Identity helpers: they exist so ids stay literal types. */
export function defineRules<const R extends readonly Rule[]>(rules: R): R {
  return rules;
}

/** Something the VM needs to boot and run the guest: not hardening, but requested just as loudly. */
export interface Feature<Id extends string = string> {
  id: Id;
  title: string;
  why: string;
  archs?: readonly Arch[];
  /** Symbols and values; `n` entries are allowed (e.g. pinning a choice). */
  options: readonly { symbol: SymbolByVersion; value: ConfigValue }[];
}

export function defineFeatures<const F extends readonly Feature[]>(features: F): F {
  return features;
}

/** A runtime check run by capsem-doctor inside the guest. */
export interface CheckSpec<Name extends string = string> {
  name: Name;
  /** One line: what passing proves. */
  proves: string;
  /** The spec's "What it checks" column, when the check is from the spec. */
  specWhat?: string;
  source: 'spec' | 'capsem';
  archs?: readonly Arch[];
}

export function defineChecks<const C extends readonly CheckSpec[]>(checks: C): C {
  return checks;
}

// ---- resolution against a target -------------------------------------------------

export function appliesToArch(x: { archs?: readonly Arch[] }, arch: Arch): boolean {
  return !x.archs || x.archs.includes(arch);
}

export function inRange(range: KernelRange, kernel: KernelSeries): boolean {
  return (
    (range.from === undefined || compareSeries(kernel, range.from) >= 0) &&
    (range.before === undefined || compareSeries(kernel, range.before) < 0)
  );
}

export function rangeText(range: KernelRange): string {
  if (range.from && range.before) return `Linux ${range.from} to before ${range.before}`;
  if (range.from) return `Linux ${range.from} and later`;
  return range.before ? `before Linux ${range.before}` : 'every Linux';
}

export function matches(cond: Condition | undefined, t: Partial<Target>): boolean {
  if (!cond) return true;
  return (
    (cond.arch === undefined || t.arch === undefined || cond.arch === t.arch) &&
    (cond.kernel === undefined || t.kernel === undefined || inRange(cond.kernel, t.kernel)) &&
    (cond.toolchain === undefined || t.toolchain === undefined || cond.toolchain === t.toolchain)
  );
}

/** A waiver condition in words, e.g. "x86_64, Linux 6.6 and later, gcc". */
export function conditionText(c: Condition | undefined): string {
  if (!c) return 'always';
  return [c.arch, c.kernel && rangeText(c.kernel), c.toolchain].filter(Boolean).join(', ');
}

/** The span of `symbol`'s history that `kernel` falls in. */
export function symbolSpan(symbol: SymbolByVersion, kernel: KernelSeries): SymbolSpan {
  if (typeof symbol === 'string') return { name: symbol };
  let span = symbol[0]!;
  for (const s of symbol) if (s.from === undefined || compareSeries(kernel, s.from) >= 0) span = s;
  return span;
}

export function symbolFor(symbol: SymbolByVersion, kernel: KernelSeries): { name: string } | { absent: string } {
  const s = symbolSpan(symbol, kernel);
  return 'name' in s ? { name: s.name } : { absent: s.absent };
}

/** Every name the symbol has had, oldest first. */
export function symbolNames(symbol: SymbolByVersion): string[] {
  if (typeof symbol === 'string') return [symbol];
  return [...new Set(symbol.flatMap((s) => ('name' in s ? [s.name] : [])))];
}

/**
 * Why a rule that only `needs` can build is waived for a `built` kernel. Under the default toolchain the
 * reason is that the default was chosen by measurement (README "Toolchain"), not that the other is missing:
 * set-up installs both. The one waiver reason that may name a toolchain (test/policy/policy.test.ts).
 */
export function toolchainWaiverReason(needs: Toolchain, built: Toolchain): string {
  return built === DEFAULT_TOOLCHAIN
    ? `needs ${needs}; the default toolchain is ${DEFAULT_TOOLCHAIN} by measurement (README "Toolchain")`
    : `needs ${needs}, the default toolchain; this kernel is built with ${built} (--toolchain ${built})`;
}

export type Resolution =
  | { status: 'enforced'; symbol?: string }
  | { status: 'waived'; reason: string; link?: string; symbol?: string }
  | { status: 'not-applicable'; reason: string };

/** How one rule stands for one target: enforced, waived (with why) or not applicable (with why). */
export function resolveRule(rule: Rule, t: Target): Resolution {
  if (!appliesToArch(rule, t.arch)) {
    return { status: 'not-applicable', reason: `only for ${rule.archs!.join(', ')}` };
  }
  let symbol: string | undefined;
  if (rule.kind === 'kconfig') {
    const s = symbolFor(rule.symbol, t.kernel);
    if ('absent' in s) return { status: 'not-applicable', reason: `Linux ${t.kernel}: ${s.absent}` };
    symbol = s.name;
  }
  // A rule only the other toolchain can build is waived for that, first: the one waiver that may name a toolchain.
  if (rule.kind === 'kconfig' && rule.toolchain && rule.toolchain !== t.toolchain) {
    return { status: 'waived', reason: toolchainWaiverReason(rule.toolchain, t.toolchain), symbol };
  }
  for (const w of rule.waivers ?? []) {
    if (matches(w.when, t)) return { status: 'waived', reason: w.reason, link: w.link, symbol };
  }
  return { status: 'enforced', symbol };
}
