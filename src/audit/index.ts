import { configValue, type DotConfig } from '../kconfig/dotconfig.ts';
import {
  cmdlineValue,
  cmdlineVerdict,
  parseCmdline,
  resolveRule,
  RULES,
  type Rule,
  type RuleId,
  type Section,
  type Target,
} from '../policy/index.ts';

// Every rule evaluated against one final .config (and optionally one boot
// command line) for one target. Pure: reading files and formatting live elsewhere.

export type AuditStatus = 'pass' | 'fail' | 'waived' | 'not-applicable';

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
  /** Why it is waived or not applicable. */
  reason?: string;
  link?: string;
  rationale: string;
}

export interface AuditReport {
  target: Target;
  file: string;
  /** The command line audited, when one was given. */
  cmdline?: string;
  results: AuditResult[];
  summary: { pass: number; fail: number; waived: number; notApplicable: number };
}

export function auditConfig(input: { config: DotConfig; cmdline?: string; target: Target }): AuditReport {
  const { config, target } = input;
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
        const actual = configValue(config, symbol);
        const line = config.lines.get(symbol);
        const at = { ...base, symbol, ...(line === undefined ? {} : { line }), expected, actual };
        if (res.status === 'waived') return { ...at, status: 'waived', reason: res.reason, ...link(res.link) };
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
  const summary = { pass: 0, fail: 0, waived: 0, notApplicable: 0 };
  for (const r of results) {
    if (r.status === 'not-applicable') summary.notApplicable++;
    else summary[r.status]++;
  }
  return { target, file: config.file, ...(input.cmdline !== undefined ? { cmdline: input.cmdline } : {}), results, summary };
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
    case 'guest':
      return rule.title;
  }
}

/** Config values compare as written, except numbers (10 == 0xa). */
function sameValue(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const num = (s: string) => (/^-?[0-9]+$|^0[xX][0-9a-fA-F]+$/.test(s) ? Number(s) : NaN);
  const a = num(actual);
  return !Number.isNaN(a) && a === num(expected);
}

export { FORMATS, FORMATTERS, type Format, type Formatter } from './formats.ts';
