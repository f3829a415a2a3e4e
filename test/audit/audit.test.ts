import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditConfig, FORMATS, FORMATTERS, type AuditReport } from '../../src/audit/index.ts';
import { type DotConfig, readDotConfig } from '../../src/kconfig/dotconfig.ts';
import { requestedOptions } from '../../src/kconfig/fragment.ts';
import {
  ARCHS,
  KERNELS,
  RULES,
  TOOLCHAINS,
  cmdlineFor,
  cmdlineValue,
  parseCmdline,
  resolveRule,
  type Target,
} from '../../src/policy/index.ts';

const TARGETS: Target[] = ARCHS.flatMap((arch) =>
  KERNELS.flatMap((kernel) => TOOLCHAINS.map((toolchain) => ({ arch, kernel, toolchain }))),
);

/** A .config holding exactly what the policy asks for (what a surviving build produces). */
function compliantConfig(t: Target): DotConfig {
  const values = new Map(requestedOptions(t).map((o) => [o.symbol, o.value]));
  return { file: 'synthetic.config', values, lines: new Map(), warnings: [] };
}

function flip(value: string): string {
  if (value === 'y') return 'n';
  if (value === 'n') return 'y';
  if (/^-?\d+$/.test(value)) return String(Number(value) + 1);
  return '"flipped"';
}

const failing = (r: AuditReport) => r.results.filter((x) => x.status === 'fail').map((x) => x.rule);

describe.each(TARGETS)('audit rules for $arch $kernel $toolchain', (t) => {
  const config = compliantConfig(t);
  const cmdline = cmdlineFor(t.arch, t.kernel);

  it('the policy\'s own config and command line pass every rule', () => {
    const report = auditConfig({ config, cmdline, target: t });
    expect(failing(report)).toEqual([]);
    expect(report.summary.fail).toBe(0);
    expect(report.summary.pass).toBeGreaterThan(50);
  });

  // One failing case per enforced kconfig rule: flip its symbol, exactly the rules judging that symbol fail.
  // (clang targets: only the clang-only rules; the rest is the same as under gcc.)
  const kconfigCases = RULES.flatMap((rule) => {
    if (rule.kind !== 'kconfig' || (t.toolchain === 'clang' && rule.toolchain !== 'clang')) return [];
    const res = resolveRule(rule, t);
    return res.status === 'enforced' ? [{ id: rule.id, symbol: res.symbol!, value: rule.value }] : [];
  });
  it.each(kconfigCases)('$id fails when $symbol is flipped', ({ symbol, value }) => {
    const values = new Map(config.values);
    values.set(symbol, flip(value));
    const report = auditConfig({ config: { ...config, values }, cmdline, target: t });
    const judging = RULES.filter((r) => {
      const res = resolveRule(r, t);
      return r.kind === 'kconfig' && res.status === 'enforced' && res.symbol === symbol;
    }).map((r) => r.id);
    expect(failing(report)).toEqual(judging);
    expect(judging.length).toBeGreaterThan(0);
  });

  // One failing case per enforced cmdline rule: override its parameter at the end (the last value wins).
  // (the command line does not depend on kernel or toolchain: one target per arch.)
  const cmdlineCases = RULES.flatMap((rule) =>
    t.kernel === '6.12' && t.toolchain === 'gcc' && rule.kind === 'cmdline' && resolveRule(rule, t).status === 'enforced'
      ? [{ id: rule.id, param: rule.param, want: cmdlineValue(rule, t.arch) }]
      : [],
  );
  it.each(cmdlineCases)('$id fails when $param is overridden or missing', ({ id, param, want }) => {
    // The rule, and the contract (another value, a repeat, a missing token) with it.
    const overridden = want === true ? `${param}=0` : `${param}=${want}x`;
    expect(failing(auditConfig({ config, cmdline: `${cmdline} ${overridden}`, target: t })).sort()).toEqual([id, 'cmdline-exact'].sort());
    const without = parseCmdline(cmdline).tokens.filter((tok) => tok.key !== param);
    const line = without.map((tok) => (tok.value === undefined ? tok.key : `${tok.key}=${tok.value}`)).join(' ');
    expect(failing(auditConfig({ config, cmdline: line, target: t })).sort()).toEqual([id, 'cmdline-exact'].sort());
  });
});

describe('audit statuses', () => {
  const t: Target = { arch: 'arm64', kernel: '6.12', toolchain: 'gcc' };
  const report = auditConfig({ config: compliantConfig(t), target: t });
  const byId = new Map(report.results.map((r) => [r.rule as string, r]));

  it("a forbidden option with no line: unverified in a text-only audit, n in kbuild's own final .config", () => {
    const config = compliantConfig(t);
    config.values.delete('MODULES');
    config.lines.delete('MODULES');
    const rule = (r: AuditReport) => r.results.find((x) => x.rule === 'no-modules');
    expect(rule(auditConfig({ config, target: t, noTree: 'test' }))).toMatchObject({ status: 'unverified' });
    expect(rule(auditConfig({ config, target: t, writtenByKbuild: true }))).toMatchObject({ status: 'pass', actual: 'n' });
  });

  it('a clang-only rule is waived under gcc, with the reason', () => {
    expect(byId.get('arm64-bti-kernel')).toMatchObject({ status: 'waived', reason: 'needs clang; the default toolchain is gcc by measurement (README "Toolchain")' });
  });

  it('a rule for another arch is not applicable', () => {
    expect(byId.get('x86-retpoline')).toMatchObject({ status: 'not-applicable', reason: 'only for x86_64' });
  });

  it('a symbol absent from this kernel is not applicable, saying why', () => {
    expect(byId.get('arm64-harden-branch-predictor')?.status).toBe('not-applicable');
    expect(byId.get('arm64-harden-branch-predictor')?.reason).toMatch(/removed in 5\.10/);
  });

  it('cmdline rules are not applicable without a command line', () => {
    expect(byId.get('cmdline-ro')).toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/no command line/) });
  });

  it('guest rules are left to the doctor, naming its checks', () => {
    expect(byId.get('guest-no-sshd')).toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/test_no_sshd/) });
  });

  it('a later rw undoes ro, as in the kernel', () => {
    const r = auditConfig({ config: compliantConfig(t), cmdline: `${cmdlineFor('arm64')} rw`, target: t });
    expect(r.results.find((x) => x.rule === 'cmdline-ro')).toMatchObject({ status: 'fail', actual: 'ro, then rw (which wins)' });
    expect(failing(r)).toEqual(['cmdline-ro', 'cmdline-exact'].sort());
    // Before ro, rw loses; but it is still a token outside the contract.
    const again = auditConfig({ config: compliantConfig(t), cmdline: `rw ${cmdlineFor('arm64')}`, target: t });
    expect(failing(again)).toEqual(['cmdline-exact']);
  });

  it.each(['nopti', 'nokaslr', 'norandmaps', 'clearcpuid=smap', 'lsm=yama', 'spectre_v2_user=off', 'sysctl.vm.swappiness=1', '-- single'])(
    'the policy line plus %s fails the contract, naming it',
    (extra) => {
      const x86: Target = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' };
      const r = auditConfig({ config: compliantConfig(x86), cmdline: `${cmdlineFor('x86_64')} ${extra}`, target: x86 });
      expect(failing(r)).toEqual(['cmdline-exact']);
      expect(r.results.find((x) => x.rule === 'cmdline-exact')!.actual).toContain(extra.split(' ').at(-1)!);
    },
  );

  it("the launcher's tokens may be on an audited line, with their values", () => {
    const x86: Target = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' };
    const ok = `${cmdlineFor('x86_64')} reboot=t panic=-1 capsem.nonce=${'a'.repeat(32)} virtio_mmio.device=512@0xfeb00e00:12`;
    expect(failing(auditConfig({ config: compliantConfig(x86), cmdline: ok, target: x86 }))).toEqual([]);
    expect(failing(auditConfig({ config: compliantConfig(x86), cmdline: `${ok} panic=0`, target: x86 }))).toEqual(['cmdline-exact']);
  });

  it('the summary counts every result once', () => {
    const s = report.summary;
    expect(s.pass + s.fail + s.waived + s.notApplicable + s.unverified).toBe(RULES.length);
  });

  it('a missing symbol reads as n, and numbers compare by value', () => {
    const values = new Map(compliantConfig(t).values);
    values.delete('MODULES');
    // The policy's number written in hex: the same value.
    values.set('DEFAULT_MMAP_MIN_ADDR', `0x${Number(values.get('DEFAULT_MMAP_MIN_ADDR')).toString(16)}`);
    const r = auditConfig({ config: { file: 'f', values, lines: new Map(), warnings: [] }, target: t });
    expect(failing(r)).toEqual([]);
  });
});

// Debian's own kernels: the distro starts broad and disables selectively, so they fail.
const DEBIAN = '/usr/src/linux-config-6.12';
describe.each(['config.amd64_none_cloud-amd64.xz', 'config.amd64_none_amd64.xz'])('Debian %s', (name) => {
  const file = `${DEBIAN}/${name}`;
  it.skipIf(!existsSync(file))('fails with the expected violations (install linux-config-6.12 to run)', () => {
    const config = readDotConfig(file);
    const report = auditConfig({ config, target: { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' } });
    const failed = failing(report);
    for (const id of ['no-modules', 'no-debugfs', 'no-ipv6', 'no-kallsyms', 'no-io-uring', 'no-bpf-syscall', 'no-kexec', 'no-ia32-emulation', 'no-compat']) {
      expect(failed, id).toContain(id);
    }
    // What Debian does get right passes.
    const passed = report.results.filter((r) => r.status === 'pass').map((r) => r.rule);
    for (const id of ['stackprotector-strong', 'randomize-base', 'x86-retpoline', 'x86-page-table-isolation', 'vmap-stack']) {
      expect(passed, id).toContain(id);
    }
    const modules = report.results.find((r) => r.rule === 'no-modules')!;
    expect(modules).toMatchObject({ symbol: 'MODULES', expected: 'n', actual: 'y' });
    expect(modules.line).toBeGreaterThan(0);
  });
});

describe('formatters', () => {
  const t: Target = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' };
  const values = new Map(compliantConfig(t).values);
  values.set('MODULES', 'y');
  const report = auditConfig({ config: { file: 'k.config', values, lines: new Map([['MODULES', 7]]), warnings: [] }, cmdline: 'ro', target: t });

  it('has one formatter per format', () => {
    expect(Object.keys(FORMATTERS).sort()).toEqual([...FORMATS].sort());
  });

  it('text groups by section with PASS/FAIL/WAIVED, expected vs actual and the rationale', () => {
    const out = FORMATTERS.text(report);
    expect(out).toMatch(/^Disabled subsystems$/m);
    expect(out).toMatch(/^ {2}FAIL {3}no-modules +MODULES +expected n, actual y$/m);
    expect(out).toMatch(/Prevents loading \.ko files/);
    expect(out).toMatch(/^ {2}WAIVED /m);
    expect(out).toMatch(/waived: /);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^FAIL: \d+ pass, \d+ fail, \d+ waived, \d+ not applicable, \d+ unverified$/);
    expect(out.indexOf('Disabled subsystems')).toBeLessThan(out.indexOf('Memory mitigations'));
  });

  it('json has results (rule, symbol, expected, actual, status) and a summary', () => {
    const parsed = JSON.parse(FORMATTERS.json(report));
    expect(parsed.summary).toEqual(report.summary);
    expect(parsed.results.find((r: { rule: string }) => r.rule === 'no-modules')).toMatchObject({
      rule: 'no-modules', symbol: 'MODULES', expected: 'n', actual: 'y', status: 'fail', line: 7,
    });
  });

  it('sarif 2.1.0: one rule and one result per policy rule, failures as errors with a location', () => {
    const log = JSON.parse(FORMATTERS.sarif(report));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules).toHaveLength(RULES.length);
    const fail = run.results.find((r: { ruleId: string }) => r.ruleId === 'no-modules');
    expect(fail).toMatchObject({ kind: 'fail', level: 'error' });
    expect(fail.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'k.config' }, region: { startLine: 7 } });
    expect(run.results.filter((r: { level: string }) => r.level === 'error')).toHaveLength(report.summary.fail);
  });

  it('junit: a testsuite per section, failures and skips counted', () => {
    const xml = FORMATTERS.junit(report);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain(`failures="${report.summary.fail}"`);
    expect(xml).toMatch(/<testcase classname="capsem-kernel.audit.disabled-subsystems" name="no-modules">\s*<failure message="MODULES: expected n, actual y">/);
    expect(xml).toMatch(/<skipped message="WAIVED: /);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(RULES.length);
  });

  it('escapes XML in junit', () => {
    const r2 = auditConfig({ config: { file: 'k.config', values, lines: new Map(), warnings: [] }, cmdline: 'console="<&>"', target: t });
    expect(FORMATTERS.junit(r2)).not.toMatch(/actual console=<&>/);
  });
});
