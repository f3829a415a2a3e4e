import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/doctor/channel.ts';
import type { CheckResult, DoctorReport } from '../../src/doctor/types.ts';
import { ResultListener, verdictFrom } from '../../src/guest/channel.ts';
import { CHECKS } from '../../src/policy/index.ts';

function report(over: (checks: CheckResult[]) => CheckResult[] = (c) => c, arch = 'x86_64'): DoctorReport {
  const checks = over(CHECKS.map((c) => ({ name: c.name, rules: [], status: 'pass' as const, evidence: ['ok'], ms: 1 })));
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  return {
    schema: 'capsem-doctor/1',
    healthy: checks.length > 0 && checks.every((c) => c.status === 'pass'),
    arch,
    kernelRelease: '6.12.57',
    checks,
    summary: { passed: count('pass'), failed: count('fail'), errors: count('error') },
    ms: 42,
    bootTimings: [{ stage: 'init', ms: 500 }],
  };
}

const expectX86 = { arch: 'x86_64' as const };

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
