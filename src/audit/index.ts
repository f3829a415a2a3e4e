import { sameValue } from '../kconfig/compare.ts';
import { configValue, type DotConfig, type ReadWarning } from '../kconfig/dotconfig.ts';
import type { Evaluation } from '../kconfig/evaluate.ts';
import {
  cmdlineContract,
  contractViolations,
  cmdlineValue,
  cmdlineVerdict,
  parseCmdline,
  compareSeries,
  KERNELS,
  type KernelSeries,
  type KernelVersion,
  resolveRule,
  RULES,
  type Rule,
  type RuleId,
  type Section,
  symbolFor,
  type SymbolByVersion,
  type Target,
} from '../policy/index.ts';

// Every rule evaluated against one final .config (and optionally one boot
// command line) for one target. Pure: reading files and formatting live elsewhere.
// With the kernel's Kconfig tree, the rules judge what kbuild will build from the
// file (olddefconfig), not the file's text: a deleted `# CONFIG_X is not set`
// line gives X its default, which may be y.

/** `unverified`: the text alone cannot say (a forbidden option with no line: kbuild gives it its default). */
export type AuditStatus = 'pass' | 'fail' | 'waived' | 'not-applicable' | 'unverified';

export interface AuditResult {
  rule: RuleId;
  section: Section;
  title: string;
  kind: Rule['kind'];
  /** The real Kconfig symbol for this kernel, or the cmdline parameter. */
  symbol?: string;
  expected: string;
  actual: string;
  status: AuditStatus;
  /** 1-based line of the symbol in the audited file, when it is there. */
  line?: number;
  /** Evaluated audits, when kbuild's value differs from the file's: what the file says ('absent' without a line). */
  file?: string;
  /** ... and where kbuild's value comes from (e.g. "default y (mm/Kconfig:123)"). */
  kbuild?: string;
  /** The symbol's name for this kernel rests on version ranges that no verified Kconfig tree brackets. */
  nameUnverified?: true;
  /** Why it is waived, not applicable or unverified. */
  reason?: string;
  link?: string;
  rationale: string;
}

/** What the kconfig rules were judged on. */
export type AuditBasis =
  | { kind: 'evaluated'; kernel: string; differ: number }
  | { kind: 'text'; why: string };

export interface AuditReport {
  target: Target;
  file: string;
  /** The command line audited, when one was given. */
  cmdline?: string;
  basis: AuditBasis;
  /** Set when the kernel is not a verified version: the nearest verified ones and the rules whose names they do not bracket. */
  versions?: { nearest: KernelVersion[]; namesUnverified: RuleId[] };
  /** Lines the reader read differently from how they look, or ignored (as kbuild's conf does). */
  readWarnings: ReadWarning[];
  results: AuditResult[];
  summary: { pass: number; fail: number; waived: number; notApplicable: number; unverified: number };
}

export interface AuditInput {
  config: DotConfig;
  cmdline?: string;
  target: Target;
  /** The file evaluated by the Kconfig engine (olddefconfig) with the tree for target's kernel and arch. */
  evaluation?: Evaluation;
  /**
   * Why kbuild gives a symbol its value (explain's one line), for rules where kbuild and
   * the file differ. Passed in, so a text-only audit never loads the explain engine.
   */
  kbuildReason?: (symbol: string) => string;
  /** Text-only audits: why there is no evaluation. */
  noTree?: string;
  /**
   * The file is the final .config kbuild itself wrote (the build's, after olddefconfig):
   * a symbol with no line is one kbuild left invisible, so it is n, not unverified.
   */
  writtenByKbuild?: boolean;
}

export function auditConfig(input: AuditInput): AuditReport {
  const { config, target, evaluation } = input;
  const nearest = nearestVerified(target.kernel);
  const cmdline = input.cmdline === undefined ? undefined : parseCmdline(input.cmdline);
  const results = RULES.map((rule): AuditResult => {
    const base = { rule: rule.id, section: rule.section, title: rule.title, kind: rule.kind, rationale: rule.rationale };
    const res = resolveRule(rule, target);
    const expected = expectedText(rule, target);
    if (res.status === 'not-applicable') {
      return { ...base, expected, actual: '-', status: 'not-applicable', reason: res.reason };
    }
    switch (rule.kind) {
      case 'kconfig': {
        const symbol = res.symbol!;
        const line = config.lines.get(symbol);
        const written = config.values.get(symbol);
        const actual = evaluation ? (evaluation.valueOf(symbol) ?? 'n') : configValue(config, symbol);
        const differs = evaluation !== undefined && !sameValue(actual, written);
        const at = {
          ...base, symbol, ...(line === undefined ? {} : { line }), expected, actual,
          ...(differs ? { file: written ?? 'absent', kbuild: input.kbuildReason?.(symbol) ?? `${actual} (evaluated)` } : {}),
          ...(!evaluation && !namesAgree(rule.symbol, target.kernel, nearest) ? { nameUnverified: true as const } : {}),
        };
        if (res.status === 'waived') return { ...at, status: 'waived', reason: res.reason, ...link(res.link) };
        if (!evaluation && !input.writtenByKbuild && written === undefined && rule.value === 'n') {
          return {
            ...at, status: 'unverified',
            reason: `no line for CONFIG_${symbol}: kbuild gives it its default, which only the kernel tree knows (audited the text only: ${input.noTree})`,
          };
        }
        return { ...at, status: sameValue(actual, rule.value) ? 'pass' : 'fail' };
      }
      case 'cmdline': {
        if (res.status === 'waived') {
          const actual = cmdline ? cmdlineVerdict(rule, cmdline, target.arch).actual : '-';
          return { ...base, symbol: rule.param, expected, actual, status: 'waived', reason: res.reason, ...link(res.link) };
        }
        if (!cmdline) {
          return {
            ...base, symbol: rule.param, expected, actual: '-', status: 'not-applicable',
            reason: 'no command line given (--cmdline or --cmdline-file)',
          };
        }
        const { holds, actual } = cmdlineVerdict(rule, cmdline, target.arch);
        return { ...base, symbol: rule.param, expected, actual, status: holds ? 'pass' : 'fail' };
      }
      case 'cmdline-contract': {
        if (res.status === 'waived') return { ...base, expected, actual: '-', status: 'waived', reason: res.reason, ...link(res.link) };
        if (!cmdline) {
          return { ...base, expected, actual: '-', status: 'not-applicable', reason: 'no command line given (--cmdline or --cmdline-file)' };
        }
        // An audited line need not carry the launcher's tokens; it may, and nothing else.
        const violations = contractViolations(cmdline, cmdlineContract(target.arch, target.kernel, { booted: false }));
        return {
          ...base, expected, actual: violations.length ? violations.map((v) => v.text).join('; ') : 'exactly the contract',
          status: violations.length ? 'fail' : 'pass',
        };
      }
      case 'guest': {
        const by = rule.checks?.length ? `capsem-doctor ${rule.checks.join(', ')}` : 'capsem-doctor';
        return {
          ...base, expected, actual: '-',
          status: res.status === 'waived' ? 'waived' : 'not-applicable',
          reason: res.status === 'waived' ? res.reason : `a property of the running guest: verified by ${by}`,
        };
      }
    }
  });
  const summary = { pass: 0, fail: 0, waived: 0, notApplicable: 0, unverified: 0 };
  for (const r of results) {
    if (r.status === 'not-applicable') summary.notApplicable++;
    else summary[r.status]++;
  }
  const basis: AuditBasis = evaluation
    ? { kind: 'evaluated', kernel: evaluation.tree.version, differ: results.filter((r) => r.kbuild !== undefined).length }
    : { kind: 'text', why: input.noTree ?? 'no kernel tree given' };
  const verified = (KERNELS as readonly string[]).includes(target.kernel);
  return {
    target,
    file: config.file,
    ...(input.cmdline !== undefined ? { cmdline: input.cmdline } : {}),
    basis,
    ...(verified ? {} : { versions: { nearest, namesUnverified: results.filter((r) => r.nameUnverified).map((r) => r.rule) } }),
    readWarnings: config.warnings,
    results,
    summary,
  };
}

/** The verified kernel itself, or the closest verified ones below and above it. */
export function nearestVerified(kernel: KernelSeries): KernelVersion[] {
  const sorted = [...KERNELS].sort(compareSeries);
  if (sorted.includes(kernel as KernelVersion)) return [kernel as KernelVersion];
  const below = sorted.filter((k) => compareSeries(k, kernel) < 0).at(-1);
  const above = sorted.find((k) => compareSeries(k, kernel) > 0);
  return [below, above].filter((k): k is KernelVersion => k !== undefined);
}

/**
 * Whether `kernel`'s name for a symbol is backed by verified trees: it is one of
 * them, or it lies between two that resolve the symbol the same way (names do not
 * vanish and come back). Outside the verified versions nothing brackets a name.
 */
function namesAgree(symbol: SymbolByVersion, kernel: KernelSeries, nearest: readonly KernelVersion[]): boolean {
  if (nearest.length === 1 && nearest[0] === kernel) return true;
  if (nearest.length < 2) return false;
  const here = JSON.stringify(symbolFor(symbol, kernel));
  return nearest.every((k) => JSON.stringify(symbolFor(symbol, k)) === here);
}

function link(l: string | undefined): { link?: string } {
  return l ? { link: l } : {};
}

function expectedText(rule: Rule, target: Target): string {
  switch (rule.kind) {
    case 'kconfig':
      return rule.value;
    case 'cmdline': {
      const v = cmdlineValue(rule, target.arch);
      return v === true ? rule.param : `${rule.param}=${v}`;
    }
    case 'cmdline-contract':
    case 'guest':
      return rule.title;
  }
}

export { FLEET_FORMATTERS, FORMATS, FORMATTERS, type FleetFormatter, type Format, type Formatter } from './formats.ts';
export { configAuditor, fleetReport, kernelConfigsIn, type FleetReport } from './fleet.ts';
