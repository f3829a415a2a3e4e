import { describe, expect, it } from 'vitest';
import { FORMATTERS, resultLine } from '../../src/doctor/reporters.ts';
import { ALL_CHECKS } from '../../src/doctor/registry.ts';
import { runDoctor } from '../../src/doctor/runner.ts';
import { fakeEnv } from './helpers/fake-guest.ts';
import { guestWith } from './helpers/healthy-guest.ts';
import { file, charDev } from './helpers/fake-guest.ts';

// One failing check (dev/mem present), one error (<&> in evidence), the rest pass.
const report = runDoctor(
  fakeEnv(guestWith({ files: { '/dev/mem': charDev(0x101), '/sys/class/net/<&>': file('') } })),
  ALL_CHECKS,
);

describe('reporters', () => {
  it('text: a line per check with status, reason, rules and evidence, then RESULT', () => {
    const out = FORMATTERS.text(report);
    expect(out).toMatch(/^FAIL  test_no_dev_mem  node-present  \[no-devmem\]$/m);
    expect(out).toMatch(/^PASS  test_no_usb  \[no-usb\]$/m);
    expect(out).toMatch(/^ {8}\/dev\/mem: present$/m);
    expect(out.trimEnd().split('\n').at(-1)).toBe(resultLine(report));
    expect(resultLine(report)).toMatch(/^RESULT: FAIL \(\d+ passed, 2 failed, 0 errors\) in [\d.]+ ms$/);
  });

  it('json: the report itself', () => {
    expect(JSON.parse(FORMATTERS.json(report))).toEqual(report);
  });

  it('junit: one testcase per check, failures as <failure>, text escaped', () => {
    const out = FORMATTERS.junit(report);
    expect(out.match(/<testcase /g)).toHaveLength(report.checks.length);
    expect(out).toContain('<failure message="node-present" type="node-present">');
    expect(out).toContain('&lt;&amp;&gt;');
    expect(out).not.toContain('<&>');
    expect(out).toMatch(new RegExp(`tests="${report.checks.length}" failures="2" errors="0"`));
  });

  it('tap: a plan, ok / not ok per check, YAML diagnostics', () => {
    const out = FORMATTERS.tap(report);
    const lines = out.split('\n');
    expect(lines.slice(0, 2)).toEqual(['TAP version 13', `1..${report.checks.length}`]);
    expect(out).toMatch(/^not ok \d+ - test_no_dev_mem$/m);
    expect(out).toMatch(/^ok \d+ - test_no_usb$/m);
    expect(out).toContain('  reason: node-present');
  });
});
