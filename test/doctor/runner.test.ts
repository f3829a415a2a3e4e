import { describe, expect, it } from 'vitest';
import { ARCHS, CHECKS } from '../../src/policy/index.ts';
import { validateReport } from '../../src/doctor/channel.ts';
import { type Check, defineCheck, pass } from '../../src/doctor/define.ts';
import { ALL_CHECKS, REGISTRY } from '../../src/doctor/registry.ts';
import { runDoctor } from '../../src/doctor/runner.ts';
import { fakeEnv, file } from './helpers/fake-guest.ts';
import { guestWith, healthyGuest } from './helpers/healthy-guest.ts';

describe('runner', () => {
  it.each(ARCHS)('the healthy %s guest passes every check, in the policy\'s order', (arch) => {
    const report = runDoctor(fakeEnv(healthyGuest(arch)), ALL_CHECKS, { bootTimings: [{ stage: 'init', ms: 1 }] });
    const notPassed = report.checks.filter((c) => c.status !== 'pass');
    expect(notPassed.map((c) => `${c.name}: ${c.reason} ${c.evidence.join(' | ')}`)).toEqual([]);
    // x32 is an x86_64 ABI: its check has no rule on arm64 and is listed as skipped.
    const notHere: string[] = arch === 'arm64' ? ['test_no_x32_abi'] : [];
    expect(report.checks.map((c) => c.name)).toEqual(CHECKS.map((c) => c.name).filter((n) => !notHere.includes(n)));
    expect(report).toMatchObject({
      schema: 'capsem-doctor/2',
      healthy: true,
      arch,
      kernelRelease: '6.12.38',
      summary: { passed: CHECKS.length - notHere.length, failed: 0, errors: 0 },
      bootTimings: [{ stage: 'init', ms: 1 }],
    });
    expect(report.skipped?.map((s) => s.name) ?? []).toEqual(notHere);
    for (const c of report.checks) expect(c.rules.length, c.name).toBeGreaterThan(0);
    expect(validateReport(report)).toEqual([]);
  });

  it('one failing check makes the guest unhealthy and the rest still run', () => {
    const report = runDoctor(fakeEnv(guestWith({ files: { '/proc/sys/kernel/dmesg_restrict': file('0\n') } })), ALL_CHECKS);
    expect(report.healthy).toBe(false);
    expect(report.summary).toEqual({ passed: CHECKS.length - 1, failed: 1, errors: 0 });
  });

  it('a broken precondition is an error in every check that needs it, never a pass', () => {
    const report = runDoctor(fakeEnv(guestWith({ statfs: { '/proc': 0xef53 } })), ALL_CHECKS);
    const needProc = ALL_CHECKS.filter((c) => c.needs.includes('procfs') || c.needs.includes('devtmpfs'));
    for (const c of needProc) {
      expect(report.checks.find((r) => r.name === c.name), c.name).toMatchObject({ status: 'error', reason: 'proc-not-procfs' });
    }
    expect(report.healthy).toBe(false);
  });

  it('proves each need once per run', () => {
    const env = fakeEnv(healthyGuest());
    let calls = 0;
    const syscall = env.probe.syscall.bind(env.probe);
    env.probe.syscall = (n) => {
      if (n === 'getpid') calls++;
      return syscall(n);
    };
    runDoctor(env, ALL_CHECKS);
    expect(calls).toBe(1);
  });

  it('a check that throws is an error (crashed), with the message as evidence', () => {
    const boom: Check = { ...REGISTRY.test_no_usb, run: () => { throw new Error('boom'); } };
    const [r] = runDoctor(fakeEnv(healthyGuest()), [boom]).checks;
    expect(r).toMatchObject({ status: 'error', reason: 'crashed' });
    expect(r!.evidence.join('\n')).toContain('boom');
  });

  it('skips, and lists, a check with no rule to verify on this target', () => {
    const orphan = { ...defineCheck({ name: 'test_no_usb', needs: [], reasons: {}, run: () => pass(['x']) }), name: 'test_not_in_policy' } as unknown as Check;
    const report = runDoctor(fakeEnv(healthyGuest()), [orphan]);
    expect(report.checks).toEqual([]);
    expect(report.skipped).toEqual([{ name: 'test_not_in_policy', reason: 'no rule it verifies applies to x86_64' }]);
    // Nothing ran, so nothing is proven healthy.
    expect(report.healthy).toBe(false);
  });

  it('reports an unknown kernel release instead of failing', () => {
    const report = runDoctor(fakeEnv(guestWith({ files: { '/proc/sys/kernel/osrelease': null } })), [REGISTRY.test_no_usb]);
    expect(report.kernelRelease).toBe('unknown');
  });
});
