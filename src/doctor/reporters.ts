// The doctor's output formats, one table: a format without a formatter does not compile.

import { xmlEscape as xml } from '../util/xml.ts';
import type { CheckResult, DoctorReport } from './types.ts';

export type Format = 'text' | 'json' | 'junit' | 'tap';

const LABEL = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' } as const;

export function resultLine(r: DoctorReport): string {
  const { passed, failed, errors } = r.summary;
  return `RESULT: ${r.healthy ? 'PASS' : 'FAIL'} (${passed} passed, ${failed} failed, ${errors} errors) in ${r.ms} ms`;
}

function text(r: DoctorReport): string {
  const lines = [`capsem-doctor: ${r.arch}, kernel ${r.kernelRelease}`];
  for (const c of r.checks) {
    const why = c.reason ? `  ${c.reason}` : '';
    lines.push(`${LABEL[c.status].padEnd(5)} ${c.name}${why}  [${c.rules.join(', ')}]`);
    for (const e of c.evidence) lines.push(`        ${e}`);
  }
  for (const s of r.skipped ?? []) lines.push(`SKIP  ${s.name}  ${s.reason}`);
  for (const t of r.bootTimings ?? []) lines.push(`boot: ${t.stage} at ${t.ms} ms`);
  lines.push(resultLine(r));
  return lines.join('\n') + '\n';
}

function junitCase(c: CheckResult): string {
  const open = `    <testcase classname="capsem-doctor" name="${xml(c.name)}" time="${(c.ms / 1000).toFixed(4)}">`;
  const body = xml(c.evidence.join('\n'));
  const reason = xml(c.reason ?? '');
  const inner =
    c.status === 'pass'
      ? `<system-out>${body}</system-out>`
      : `<${c.status === 'fail' ? 'failure' : 'error'} message="${reason}" type="${reason}">${body}</${c.status === 'fail' ? 'failure' : 'error'}>`;
  return `${open}\n      ${inner}\n    </testcase>`;
}

function junit(r: DoctorReport): string {
  const skipped = r.skipped ?? [];
  const tests = r.checks.length + skipped.length;
  const attrs = `tests="${tests}" failures="${r.summary.failed}" errors="${r.summary.errors}" skipped="${skipped.length}" time="${(r.ms / 1000).toFixed(4)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="capsem-doctor" ${attrs}>`,
    `  <testsuite name="capsem-doctor ${xml(r.arch)} ${xml(r.kernelRelease)}" ${attrs}>`,
    ...r.checks.map(junitCase),
    ...skipped.map(
      (s) => `    <testcase classname="capsem-doctor" name="${xml(s.name)}" time="0">\n      <skipped message="${xml(s.reason)}"/>\n    </testcase>`,
    ),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function tap(r: DoctorReport): string {
  const skipped = r.skipped ?? [];
  const lines = ['TAP version 13', `1..${r.checks.length + skipped.length}`];
  r.checks.forEach((c, i) => {
    lines.push(`${c.status === 'pass' ? 'ok' : 'not ok'} ${i + 1} - ${c.name}`);
    lines.push('  ---', `  status: ${c.status}`);
    if (c.reason) lines.push(`  reason: ${c.reason}`);
    lines.push(`  rules: [${c.rules.join(', ')}]`, `  ms: ${c.ms}`, '  evidence:');
    for (const e of c.evidence) lines.push(`    - ${JSON.stringify(e)}`);
    lines.push('  ...');
  });
  skipped.forEach((s, i) => lines.push(`ok ${r.checks.length + i + 1} - ${s.name} # SKIP ${s.reason}`));
  lines.push(`# ${resultLine(r)}`);
  return lines.join('\n') + '\n';
}

export const FORMATTERS: Record<Format, (r: DoctorReport) => string> = {
  text,
  json: (r) => JSON.stringify(r, null, 2) + '\n',
  junit,
  tap,
};
