import { compareSeries, SECTIONS, type Section } from '../policy/index.ts';
import { xmlEscape as xml } from '../util/xml.ts';
import { fleetLabels, type FleetReport, type StatusCounts } from './fleet.ts';
import type { AuditReport, AuditResult, AuditStatus } from './index.ts';

// One formatter per output format. The table is typed by the format list, so
// a format without a formatter does not compile.

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];
export type Formatter = (report: AuditReport) => string;

export const FORMATTERS: Record<Format, Formatter> = { text, json, sarif, junit };

/** The same formats for many configs in one document. */
export type FleetFormatter = (fleet: FleetReport) => string;
export const FLEET_FORMATTERS: Record<Format, FleetFormatter> = { text: fleetText, json: fleetJson, sarif: fleetSarif, junit: fleetJunit };

const LABEL: Record<AuditStatus, string> = {
  pass: 'PASS', fail: 'FAIL', waived: 'WAIVED', 'not-applicable': 'N/A', unverified: 'UNVERIFIED',
};
/** The word before a result's reason in text output. */
const REASON: Record<AuditStatus, string> = { pass: '', fail: '', waived: 'waived', 'not-applicable': 'n/a', unverified: 'unverified' };

function bySection(results: readonly AuditResult[]): [Section, AuditResult[]][] {
  const groups = new Map<Section, AuditResult[]>();
  for (const key of Object.keys(SECTIONS) as Section[]) groups.set(key, []);
  for (const r of results) groups.get(r.section)!.push(r);
  return [...groups].filter(([, rs]) => rs.length > 0);
}

/** FAIL when a rule fails; UNVERIFIED when none fails but some could not be judged; else PASS. */
function verdict(report: AuditReport): 'PASS' | 'FAIL' | 'UNVERIFIED' {
  if (report.summary.fail > 0) return 'FAIL';
  return report.summary.unverified > 0 ? 'UNVERIFIED' : 'PASS';
}

function summaryLine(report: AuditReport): string {
  const s = report.summary;
  return `${s.pass} pass, ${s.fail} fail, ${s.waived} waived, ${s.notApplicable} not applicable, ${s.unverified} unverified`;
}

/** How the kconfig rules were judged, and what the version means for the names: one line each. */
export function basisLines(report: AuditReport): string[] {
  const b = report.basis;
  const out = [
    b.kind === 'evaluated'
      ? `Evaluated as kbuild builds it (olddefconfig, Linux ${b.kernel} Kconfig tree): ${b.differ} rules' options differ between the file and kbuild`
      : `Audited the text only (${b.why}): options without a line are judged as n, and forbidden ones are unverified`,
  ];
  const v = report.versions;
  if (v) {
    const nearest = v.nearest.length ? `nearest verified: ${v.nearest.join(', ')}` : 'no verified version near it';
    const outside = v.nearest.length < 2;
    const names = outside && v.namesUnverified.length
      ? `${v.namesUnverified.length} rules' symbol names resolve through the ${v.nearest.length && compareSeries(report.target.kernel, v.nearest[0]!) < 0 ? 'oldest' : 'newest'} ranges, unverified for this version`
      : v.namesUnverified.length
      ? `${v.namesUnverified.length} rules' symbol names rest on version ranges that no verified tree brackets: ${v.namesUnverified.join(', ')}`
      : b.kind === 'evaluated'
        ? 'every rule\'s symbol name was looked up in this tree'
        : 'every rule\'s name is the same in the verified versions around it';
    out.push(`Linux ${report.target.kernel} is not a verified version (${nearest}); ${names}`);
  }
  return out;
}

function text(report: AuditReport): string {
  const t = report.target;
  const out = [`Audit of ${report.file} against the capsem hardening policy (Linux ${t.kernel}, ${t.arch}, ${t.toolchain})`];
  if (report.cmdline !== undefined) out.push(`Command line: ${report.cmdline}`);
  out.push(...basisLines(report));
  const width = Math.max(...report.results.map((r) => (r.symbol ?? '').length), 10);
  for (const [section, results] of bySection(report.results)) {
    out.push('', `${SECTIONS[section]}`);
    for (const r of results) {
      const subject = (r.symbol ?? r.title).padEnd(width);
      const values = r.kind === 'guest' ? '' : `expected ${r.expected}, actual ${r.actual}`;
      out.push(`  ${LABEL[r.status].padEnd(6)} ${r.rule.padEnd(34)} ${subject}  ${values}`.trimEnd());
      out.push(`         ${firstSentence(r.rationale)}`);
      if (r.kbuild !== undefined) out.push(`         file: ${r.file}; kbuild: ${r.actual}, ${r.kbuild}`);
      if (r.reason) out.push(`         ${REASON[r.status]}: ${r.reason}${r.link ? ` (${r.link})` : ''}`);
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
  unverified: 'review',
};

/** One line for a result that is judged (pass or fail), with both values when kbuild differs from the file. */
function judged(r: AuditResult): string {
  const values = `${r.symbol ?? r.title}: expected ${r.expected}, actual ${r.actual}`;
  return r.kbuild !== undefined ? `${values} (file: ${r.file}; kbuild: ${r.actual}, ${r.kbuild})` : values;
}

/** A rule's descriptor; a fleet spans versions, so its descriptors leave out the per-version symbol. */
function sarifRule(r: AuditResult, withSymbol: boolean) {
  return {
    id: r.rule,
    name: r.title,
    shortDescription: { text: `${r.title}${withSymbol && r.symbol ? ` (${r.symbol}=${r.expected})` : ''}` },
    fullDescription: { text: r.rationale },
    properties: { section: SECTIONS[r.section] },
  };
}

function sarifResult(r: AuditResult, ruleIndex: number, location: { uri: string; index?: number }, properties: Record<string, unknown> = {}) {
  return {
    ruleId: r.rule,
    ruleIndex,
    kind: SARIF_KIND[r.status],
    level: r.status === 'fail' ? 'error' : r.status === 'unverified' ? 'warning' : 'none',
    message: { text: r.reason !== undefined ? `${LABEL[r.status]}: ${r.reason}` : judged(r) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: location,
          ...(r.line !== undefined ? { region: { startLine: r.line } } : {}),
        },
      },
    ],
    properties: {
      ...properties,
      status: r.status, expected: r.expected, actual: r.actual,
      ...(r.kbuild !== undefined ? { file: r.file, kbuild: r.kbuild } : {}),
    },
  };
}

function sarifLog(run: Record<string, unknown> & { rules: unknown[] }): string {
  const { rules, ...rest } = run;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'capsem-kernel', informationUri: 'https://github.com/capsem', rules } }, ...rest }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function sarif(report: AuditReport): string {
  return sarifLog({
    rules: report.results.map((r) => sarifRule(r, true)),
    results: report.results.map((r, ruleIndex) => sarifResult(r, ruleIndex, { uri: r.kind === 'cmdline' ? 'cmdline' : report.file })),
    properties: { basis: report.basis, ...(report.versions ? { versions: report.versions } : {}) },
  });
}

/** One <testsuite> per section of one report; `name` titles it. */
function junitSuites(report: AuditReport, name: (section: Section) => string): string[] {
  const out: string[] = [];
  for (const [section, results] of bySection(report.results)) {
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status !== 'pass' && r.status !== 'fail').length;
    out.push(`  <testsuite name="${xml(name(section))}" tests="${results.length}" failures="${failures}" skipped="${skipped}">`);
    for (const r of results) {
      const open = `    <testcase classname="capsem-kernel.audit.${section}" name="${xml(r.rule)}"`;
      if (r.status === 'pass') {
        out.push(`${open}/>`);
      } else if (r.status === 'fail') {
        const msg = judged(r);
        out.push(`${open}>`, `      <failure message="${xml(msg)}">${xml(r.rationale)}</failure>`, '    </testcase>');
      } else {
        out.push(`${open}>`, `      <skipped message="${xml(`${LABEL[r.status]}: ${r.reason ?? ''}`)}"/>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  return out;
}

function junitDoc(reports: readonly AuditReport[], suites: string[]): string {
  const sum = (f: (s: AuditReport['summary']) => number) => reports.reduce((n, r) => n + f(r.summary), 0);
  const tests = reports.reduce((n, r) => n + r.results.length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="capsem-kernel audit" tests="${tests}" failures="${sum((s) => s.fail)}" skipped="${sum((s) => s.waived + s.notApplicable + s.unverified)}">`,
    ...suites,
    '</testsuites>',
  ].join('\n') + '\n';
}

function junit(report: AuditReport): string {
  return junitDoc([report], junitSuites(report, (section) => SECTIONS[section]));
}

// ---- many configs ------------------------------------------------------------------

/** Short column titles for the text matrix. */
const SECTION_COLUMN: Record<Section, string> = {
  'disabled-subsystems': 'disabled',
  'memory-mitigations': 'memory',
  'arch-hardening': 'arch',
  'beyond-spec': 'beyond',
  cmdline: 'cmdline',
  guest: 'guest',
};

const cell = (c: StatusCounts | undefined) => (c ? `${c.pass}/${c.fail}/${c.waived}/${c.unverified}` : '-');

function fleetText(fleet: FleetReport): string {
  // A section whose rules are all n/a for every config (the guest's, in a config audit) gets no column.
  const judgedIn = (c: StatusCounts | undefined) => c !== undefined && c.pass + c.fail + c.waived + c.unverified > 0;
  const sections = (Object.keys(SECTIONS) as Section[]).filter((s) => fleet.matrix.some((row) => judgedIn(row.sections[s])));
  const labels = fleetLabels(fleet.matrix.map((row) => row.file));
  const rows = fleet.matrix.map((row, i) => [
    labels[i]!,
    `${row.target.arch} ${row.target.kernel} ${row.target.toolchain}`,
    row.basis === 'evaluated' ? 'kbuild' : 'text',
    ...sections.map((s) => cell(row.sections[s])),
    cell(row.total),
    verdict(fleet.reports[i]!),
  ]);
  const head = ['config', 'target', 'judged', ...sections.map((s) => SECTION_COLUMN[s]), 'total', 'verdict'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd();
  const s = fleet.summary;
  const out = [
    `Fleet audit of ${s.configs} configs against the capsem hardening policy`,
    'cells: pass/fail/waived/unverified rules (n/a left out); judged: kbuild = evaluated as kbuild builds it (olddefconfig), text = the file\'s text only',
    '',
    line(head),
    ...rows.map(line),
    '',
    `${s.failing > 0 ? 'FAIL' : s.unverified > 0 ? 'UNVERIFIED' : 'PASS'}: ${s.configs} configs, ${s.failing} fail, ${s.unverified} unverified, ${s.passing} pass`,
  ];
  return out.join('\n') + '\n';
}

function fleetJson(fleet: FleetReport): string {
  return JSON.stringify({ summary: fleet.summary, matrix: fleet.matrix, reports: fleet.reports }, null, 2) + '\n';
}

/** One run: the policy's rules once, one result per config x rule, located at the config file (artifact) and line. */
function fleetSarif(fleet: FleetReport): string {
  const first = fleet.reports[0]!;
  const ruleIndex = new Map(first.results.map((r, i) => [r.rule, i]));
  return sarifLog({
    rules: first.results.map((r) => sarifRule(r, false)),
    artifacts: fleet.reports.map((r) => ({
      location: { uri: r.file },
      properties: { target: r.target, basis: r.basis, summary: r.summary, ...(r.versions ? { versions: r.versions } : {}) },
    })),
    results: fleet.reports.flatMap((report, index) =>
      report.results.map((r) => sarifResult(r, ruleIndex.get(r.rule)!, { uri: report.file, index }, { config: report.file, ...(r.symbol ? { symbol: r.symbol } : {}) })),
    ),
    properties: { summary: fleet.summary, ...(first.cmdline !== undefined ? { cmdline: first.cmdline } : {}) },
  });
}

function fleetJunit(fleet: FleetReport): string {
  return junitDoc(fleet.reports, fleet.reports.flatMap((report) => junitSuites(report, (section) => `${report.file}: ${SECTIONS[section]}`)));
}
