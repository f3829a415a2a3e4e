import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/doctor/channel.ts';
import type { CheckResult, DoctorReport } from '../../src/doctor/types.ts';
import { ALL_CHECKS } from '../../src/doctor/registry.ts';
import { plannedChecks } from '../../src/doctor/runner.ts';
import { type BootExpectation, type KernelIdentity, ResultListener, verdictFrom } from '../../src/guest/channel.ts';

const TARGET = { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' } as const;
const NONCE = '0123456789abcdef0123456789abcdef';
const CMDLINE = `console=ttyS0 ro panic=-1 capsem.nonce=${NONCE}`;
const RELEASE = '6.12.57-capsem-0123456789ab';

/** A report as the doctor makes it for TARGET: exactly the planned checks, each with its rules. */
function report(over: (checks: CheckResult[]) => CheckResult[] = (c) => c, arch = 'x86_64'): DoctorReport {
  const planned = plannedChecks(ALL_CHECKS, TARGET).run;
  const checks = over(planned.map(({ check, rules }) => ({ name: check.name, rules: rules.map((r) => r.id), status: 'pass' as const, evidence: ['ok'], ms: 1 })));
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  return {
    schema: 'capsem-doctor/2',
    healthy: checks.length > 0 && checks.every((c) => c.status === 'pass'),
    arch,
    kernelRelease: RELEASE,
    boot: { nonce: NONCE, cmdline: CMDLINE, kernelVersion: '#1 SMP PREEMPT_DYNAMIC', bootId: 'b', target: { ...TARGET, arch } },
    checks,
    summary: { passed: count('pass'), failed: count('fail'), errors: count('error') },
    ms: 42,
    bootTimings: [{ stage: 'init', ms: 500 }],
  };
}

const identity: KernelIdentity = { kind: 'manifest', manifest: 'out/x86_64/manifest.json', release: RELEASE, target: TARGET };
const expectX86: BootExpectation = { arch: 'x86_64', nonce: NONCE, cmdline: CMDLINE, kernel: identity };
const withBoot = (r: DoctorReport, boot: Partial<DoctorReport['boot']>): DoctorReport => ({ ...r, boot: { ...r.boot, ...boot } });

describe('verdictFrom', () => {
  it('a full, passing report is healthy', () => {
    const v = verdictFrom(encodeFrame(report()), expectX86);
    expect(v).toMatchObject({ ok: true, healthy: true });
    expect(v.reason).toBeUndefined();
  });

  // Each row: bytes from the guest and the reason the host must give.
  const valid = encodeFrame(report());
  it.each<[string, Buffer, RegExp]>([
    ['nothing sent', Buffer.alloc(0), /^no result: the guest sent nothing on org\.capsem\.doctor$/],
    ['garbage', Buffer.from('capsem says healthy, trust me\n'), /^malformed result on org\.capsem\.doctor: /],
    ['a truncated frame', valid.subarray(0, valid.length - 10), /^malformed result .*truncated payload/],
    ['only half a header', valid.subarray(0, 10), /^malformed result .*truncated frame header/],
    ['bytes after the frame', Buffer.concat([valid, Buffer.from('x')]), /^malformed result .*1 bytes after the payload/],
    ['a flipped payload byte', Buffer.concat([valid.subarray(0, -2), Buffer.from('}}')]), /^malformed result .*sha256 mismatch/],
  ])('%s is unhealthy', (_name, bytes, reason) => {
    const v = verdictFrom(bytes, expectX86);
    expect(v.healthy).toBe(false);
    expect(v.reason).toMatch(reason);
  });

  it('a well-formed report with a failing check is unhealthy, naming it', () => {
    const r = report((cs) => cs.map((c) => (c.name === 'test_no_sshd' ? { ...c, status: 'fail' as const, reason: 'sshd-running' } : c)));
    const v = verdictFrom(encodeFrame(r), expectX86);
    expect(v).toMatchObject({ ok: true, healthy: false });
    expect(v.reason).toBe('1 check(s) did not pass: test_no_sshd (fail)');
  });

  it('a report that leaves out checks is unhealthy, even if it says healthy', () => {
    const r = report((cs) => cs.filter((c) => c.name !== 'test_no_dev_mem' && c.name !== 'test_no_kallsyms'));
    expect(r.healthy).toBe(true);
    const v = verdictFrom(encodeFrame(r), expectX86);
    expect(v.healthy).toBe(false);
    expect(v.reason).toBe('checks missing from the report: test_no_dev_mem, test_no_kallsyms');
  });

  it('a report for another arch is unhealthy', () => {
    const v = verdictFrom(encodeFrame(report((c) => c, 'arm64')), expectX86);
    expect(v.reason).toMatch(/the report is for arch arm64, the guest is x86_64/);
  });

  it('a second frame on the same boot is rejected', () => {
    expect(verdictFrom(Buffer.concat([valid, valid]), expectX86).reason).toMatch(/^malformed result .*a second frame on the same boot/);
  });

  it('a verdict from another boot (its nonce) is rejected: a replay', () => {
    const v = verdictFrom(encodeFrame(report()), { ...expectX86, nonce: 'f'.repeat(32) });
    expect(v.healthy).toBe(false);
    expect(v.reason).toMatch(/the verdict is not from this boot: it carries nonce 0123.*, this boot's is f{32}/);
  });

  it('a guest command line other than the one passed is rejected (a built-in line)', () => {
    const v = verdictFrom(encodeFrame(withBoot(report(), { cmdline: `nopti ${CMDLINE}` })), expectX86);
    expect(v.reason).toMatch(/another command line than the host passed \(not passed by the host: nopti\)/);
  });

  it("QEMU's own virtio-mmio tokens are not drift", () => {
    const v = verdictFrom(encodeFrame(withBoot(report(), { cmdline: `${CMDLINE} virtio_mmio.device=512@0xfeb00e00:12` })), expectX86);
    expect(v).toMatchObject({ healthy: true });
  });

  it('a kernel other than the manifest names is not the audited one', () => {
    const v = verdictFrom(encodeFrame({ ...report(), kernelRelease: '6.12.57-capsem-ffffffffffff' }), expectX86);
    expect(v.reason).toMatch(/the kernel is not the audited one: the guest runs 6\.12\.57-capsem-ffffffffffff, the build manifest out\/x86_64\/manifest\.json names 6\.12\.57-capsem-0123456789ab/);
  });

  it('an unidentified kernel is unhealthy, or a warning when allowed', () => {
    const unknown = (allow: boolean): BootExpectation => ({ ...expectX86, kernel: { kind: 'unknown', why: 'no manifest', allow } });
    expect(verdictFrom(valid, unknown(false)).reason).toMatch(/the kernel is unidentified: no manifest; pass --allow-unknown-kernel/);
    const allowed = verdictFrom(valid, unknown(true));
    expect(allowed.healthy).toBe(true);
    expect(allowed.warnings.join()).toMatch(/unidentified/);
  });

  it('a check verifying other rules than the policy says is rejected', () => {
    const r = report((cs) => cs.map((c) => (c.name === 'test_no_sshd' ? { ...c, rules: [] } : c)));
    expect(verdictFrom(encodeFrame(r), expectX86).reason).toMatch(/test_no_sshd verifies \[\]; the policy has it verify \[guest-no-sshd\]/);
  });

  it('a check the policy does not run on this target is rejected', () => {
    const r = report((cs) => [...cs, { name: 'test_made_up', rules: [], status: 'pass', evidence: [], ms: 1 }]);
    expect(verdictFrom(encodeFrame(r), expectX86).reason).toMatch(/checks the policy does not run on x86_64 Linux 6\.12 \(gcc\): test_made_up/);
  });

  it('a doctor that judged another target is rejected', () => {
    const v = verdictFrom(encodeFrame(withBoot(report(), { target: { ...TARGET, toolchain: 'clang' } })), expectX86);
    expect(v.reason).toMatch(/the doctor judged x86_64 Linux 6\.12 \(clang\); the kernel was built for x86_64 Linux 6\.12 \(gcc\)/);
  });

  it('more than the limit is unhealthy', () => {
    expect(verdictFrom(valid, { ...expectX86, overflow: true }).reason).toMatch(/more than \d+ bytes/);
  });
});

describe('ResultListener', () => {
  it('collects the bytes of the first connection only, with arrival times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsem-channel-test-'));
    try {
      const l = await ResultListener.listen(join(dir, 's'));
      const send = (data: string) =>
        new Promise<void>((resolve) => {
          const c = connect(join(dir, 's'), () => c.end(data));
          c.on('close', () => resolve());
          c.on('error', () => resolve());
        });
      await send('first');
      await send('second');
      await new Promise((r) => setTimeout(r, 50));
      expect(l.bytes().toString()).toBe('first');
      expect(l.connected).toBe(true);
      expect(l.lastByteAt).toBeGreaterThanOrEqual(l.firstByteAt!);
      await l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
