import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditConfig, FORMATTERS, type AuditReport } from '../../src/audit/index.ts';
import { configArch, configKernelSeries, readDotConfig } from '../../src/kconfig/dotconfig.ts';
import { evaluatedInput } from '../helpers/evaluated.ts';
import { loadKconfigTree } from '../../src/kconfig/tree.ts';
import { RULES, type Target } from '../../src/policy/index.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

// Configs other microVM projects ship for their guests (test/fixtures/real-configs/README.md):
// each is read without refusal and audits to a result, with its failures listed.

const DIR = join(import.meta.dirname, '../fixtures/real-configs');
const failing = (r: AuditReport) => r.results.filter((x) => x.status === 'fail').map((x) => x.rule);

function audit(name: string): AuditReport {
  const config = readDotConfig(join(DIR, name), { lenient: true });
  const arch = configArch(config);
  if (arch !== 'x86_64' && arch !== 'arm64') throw new Error(`${name}: arch ${arch}`);
  const target: Target = { arch, kernel: configKernelSeries(config)!, toolchain: 'gcc' };
  return auditConfig({ config, target, noTree: 'test' });
}

const FIXTURES = [
  // [file, arch, series, rules it must fail: what these guests leave on]
  ['firecracker-microvm-kernel-ci-x86_64-5.10.config', 'x86_64', '5.10', ['no-ipv6', 'no-bpf-syscall', 'no-devmem']],
  ['firecracker-microvm-kernel-ci-x86_64-6.1.config', 'x86_64', '6.1', ['no-ipv6', 'no-bpf-syscall', 'no-io-uring']],
  ['firecracker-microvm-kernel-ci-aarch64-6.1.config', 'arm64', '6.1', ['no-ipv6', 'no-bpf-syscall']],
  ['libkrunfw-config_x86_64', 'x86_64', '6.6', ['no-bpf-syscall']],
] as const;

describe.each(FIXTURES)('%s', (name, arch, series, mustFail) => {
  const report = audit(name);

  it('is read without refusal and audits to a result, its failures listed', () => {
    expect(report.target).toMatchObject({ arch, kernel: series });
    expect(report.results).toHaveLength(RULES.length);
    for (const id of mustFail) expect(failing(report), id).toContain(id);
    const text = FORMATTERS.text(report);
    expect(text).toMatch(new RegExp(`^FAIL: \\d+ pass, ${report.summary.fail} fail, `, 'm'));
    for (const id of failing(report)) expect(text).toMatch(new RegExp(`^  FAIL +${id} `, 'm'));
  });
});

describe('versions the policy was not verified against', () => {
  it('6.1 is verified: no version note', () => {
    expect(audit('firecracker-microvm-kernel-ci-x86_64-6.1.config').versions).toBeUndefined();
  });

  it('6.6 lies between 6.1 and 6.12: only the names a range boundary separates from them are unverified', () => {
    const r = audit('libkrunfw-config_x86_64');
    expect(r.versions!.nearest).toEqual(['6.1', '6.12']);
    expect(r.versions!.namesUnverified).toEqual(expect.arrayContaining(['x86-retpoline', 'x86-call-depth-tracking', 'list-hardened']));
    expect(r.versions!.namesUnverified).not.toContain('no-modules');
    // Through the ranges: 6.6 has the old mitigation names and the 6.2 call depth tracking.
    expect(r.results.find((x) => x.rule === 'x86-retpoline')).toMatchObject({ symbol: 'RETPOLINE', status: 'pass' });
    expect(r.results.find((x) => x.rule === 'x86-call-depth-tracking')).toMatchObject({ symbol: 'CALL_DEPTH_TRACKING', status: 'pass' });
    expect(FORMATTERS.text(r)).toMatch(/^Linux 6\.6 is not a verified version \(nearest verified: 6\.1, 6\.12\); \d+ rules' symbol names rest on version ranges that no verified tree brackets: .*x86-retpoline/m);
  });

  it('5.10 is older than every verified version: it resolves through the oldest ranges, and no name is verified', () => {
    const r = audit('firecracker-microvm-kernel-ci-x86_64-5.10.config');
    expect(r.versions!.nearest).toEqual(['6.1']);
    const kconfigApplicable = r.results.filter((x) => x.kind === 'kconfig' && x.status !== 'not-applicable');
    expect(r.versions!.namesUnverified.length).toBe(kconfigApplicable.length);
    // Removed after 5.10, so still judged there: DEVKMEM (5.13), HARDENED_USERCOPY_FALLBACK (5.16).
    expect(r.results.find((x) => x.rule === 'no-devkmem')).toMatchObject({ symbol: 'DEVKMEM' });
    expect(r.results.find((x) => x.rule === 'hardened-usercopy-no-fallback')).toMatchObject({ symbol: 'HARDENED_USERCOPY_FALLBACK' });
    expect(FORMATTERS.text(r)).toMatch(/^Linux 5\.10 is not a verified version \(nearest verified: 6\.1\); \d+ rules' symbol names resolve through the oldest ranges, unverified for this version$/m);
  });
});

// Debian's config evaluated with the 6.12 tree the build cache holds.
const DEBIAN = '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz';
const tree612 = kernelSource('6.12');
describe('Debian amd64, evaluated', () => {
  it.skipIf(!tree612 || !existsSync(DEBIAN))('kbuild\'s values are judged; where they differ from the file both are shown (needs linux-source-6.12 unpacked by a build, and linux-config-6.12)', () => {
    const config = readDotConfig(DEBIAN, { lenient: true });
    const target: Target = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' };
    const tree = loadKconfigTree({ srcDir: tree612!, arch: 'x86_64' });
    const r = auditConfig({ config, target, ...evaluatedInput(tree, config) });
    expect(r.basis.kind).toBe('evaluated');
    expect(r.summary.unverified).toBe(0);
    expect(failing(r)).toEqual(expect.arrayContaining(['no-modules', 'no-debugfs', 'no-ipv6']));
    for (const x of r.results.filter((y) => y.kbuild !== undefined)) expect(x.file, x.rule).not.toBe(x.actual);
  });
});
