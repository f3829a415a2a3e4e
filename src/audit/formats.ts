import { SECTIONS, type Section } from '../policy/index.ts';
import type { AuditReport, AuditResult, AuditStatus } from './index.ts';

// One formatter per output format. The table is typed by the format list, so
// a format without a formatter does not compile.

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];
export type Formatter = (report: AuditReport) => string;

export const FORMATTERS: Record<Format, Formatter> = { text, json, sarif, junit };

const LABEL: Record<AuditStatus, string> = { pass: 'PASS', fail: 'FAIL', waived: 'WAIVED', 'not-applicable': 'N/A' };

function bySection(results: readonly AuditResult[]): [Section, AuditResult[]][] {
  const groups = new Map<Section, AuditResult[]>();
  for (const key of Object.keys(SECTIONS) as Section[]) groups.set(key, []);
  for (const r of results) groups.get(r.section)!.push(r);
  return [...groups].filter(([, rs]) => rs.length > 0);
}

function verdict(report: AuditReport): 'PASS' | 'FAIL' {
  return report.summary.fail > 0 ? 'FAIL' : 'PASS';
}

function summaryLine(report: AuditReport): string {
  const s = report.summary;
  return `${s.pass} pass, ${s.fail} fail, ${s.waived} waived, ${s.notApplicable} not applicable`;
}

function text(report: AuditReport): string {
  const t = report.target;
  const out = [`Audit of ${report.file} against the capsem hardening policy (Linux ${t.kernel}, ${t.arch}, ${t.toolchain})`];
  if (report.cmdline !== undefined) out.push(`Command line: ${report.cmdline}`);
  const width = Math.max(...report.results.map((r) => (r.symbol ?? '').length), 10);
  for (const [section, results] of bySection(report.results)) {
    out.push('', `${SECTIONS[section]}`);
    for (const r of results) {
      const subject = (r.symbol ?? r.title).padEnd(width);
      const values = r.kind === 'guest' ? '' : `expected ${r.expected}, actual ${r.actual}`;
      out.push(`  ${LABEL[r.status].padEnd(6)} ${r.rule.padEnd(34)} ${subject}  ${values}`.trimEnd());
      out.push(`         ${firstSentence(r.rationale)}`);
      if (r.reason) out.push(`         ${r.status === 'waived' ? 'waived' : 'n/a'}: ${r.reason}${r.link ? ` (${r.link})` : ''}`);
    }
  }
  out.push('', `${verdict(report)}: ${summaryLine(report)}`);
  return out.join('\n') + '\n';
}

function firstSentence(s: string): string {
  const m = /^(.*?\.)(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

function json(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

const SARIF_KIND: Record<AuditStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  waived: 'informational',
  'not-applicable': 'notApplicable',
};

function sarif(report: AuditReport): string {
  const rules = report.results.map((r) => ({
    id: r.rule,
    name: r.title,
    shortDescription: { text: `${r.title}${r.symbol ? ` (${r.symbol}=${r.expected})` : ''}` },
    fullDescription: { text: r.rationale },
    properties: { section: SECTIONS[r.section] },
  }));
  const results = report.results.map((r, ruleIndex) => ({
    ruleId: r.rule,
    ruleIndex,
    kind: SARIF_KIND[r.status],
    level: r.status === 'fail' ? 'error' : 'none',
    message: {
      text:
        r.status === 'waived' || r.status === 'not-applicable'
          ? `${LABEL[r.status]}: ${r.reason}`
          : `${r.symbol ?? r.title}: expected ${r.expected}, actual ${r.actual}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: r.kind === 'cmdline' ? 'cmdline' : report.file },
          ...(r.line !== undefined ? { region: { startLine: r.line } } : {}),
        },
      },
    ],
    properties: { status: r.status, expected: r.expected, actual: r.actual },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'capsem-kernel', informationUri: 'https://github.com/capsem', rules } }, results }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

function junit(report: AuditReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = report.summary;
  out.push(
    `<testsuites name="capsem-kernel audit" tests="${report.results.length}" failures="${s.fail}" skipped="${s.waived + s.notApplicable}">`,
  );
  for (const [section, results] of bySection(report.results)) {
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'waived' || r.status === 'not-applicable').length;
    out.push(`  <testsuite name="${xml(SECTIONS[section])}" tests="${results.length}" failures="${failures}" skipped="${skipped}">`);
    for (const r of results) {
      const open = `    <testcase classname="capsem-kernel.audit.${section}" name="${xml(r.rule)}"`;
      if (r.status === 'pass') {
        out.push(`${open}/>`);
      } else if (r.status === 'fail') {
        const msg = `${r.symbol ?? r.title}: expected ${r.expected}, actual ${r.actual}`;
        out.push(`${open}>`, `      <failure message="${xml(msg)}">${xml(r.rationale)}</failure>`, '    </testcase>');
      } else {
        out.push(`${open}>`, `      <skipped message="${xml(`${LABEL[r.status]}: ${r.reason ?? ''}`)}"/>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
