import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FRAME_MAGIC, decodeFrame, encodeFrame, expectedFrameLength, validateReport } from '../../src/doctor/channel.ts';
import { ALL_CHECKS } from '../../src/doctor/registry.ts';
import { runDoctor } from '../../src/doctor/runner.ts';
import type { DoctorReport } from '../../src/doctor/types.ts';
import { fakeEnv } from './helpers/fake-guest.ts';
import { guestWith, healthyGuest } from './helpers/healthy-guest.ts';

const healthy = (): DoctorReport => runDoctor(fakeEnv(healthyGuest()), ALL_CHECKS, { bootTimings: [{ stage: 'init', ms: 512 }] });
const frameOf = (payload: string, declared = Buffer.byteLength(payload), hash?: string) =>
  Buffer.concat([
    Buffer.from(`${FRAME_MAGIC} ${declared} ${hash ?? createHash('sha256').update(payload).digest('hex')}\n`),
    Buffer.from(payload),
  ]);

describe('result channel frame', () => {
  it('round-trips a real report, and the header is one ASCII line', () => {
    const report = healthy();
    const frame = encodeFrame(report);
    expect(frame.subarray(0, frame.indexOf(0x0a)).toString('latin1')).toMatch(/^CAPSEM-RESULT v1 \d+ [0-9a-f]{64}$/);
    expect(decodeFrame(frame)).toEqual({ ok: true, report });
    expect(expectedFrameLength(frame)).toBe(frame.length);
  });

  it('round-trips an unhealthy report with non-ASCII evidence', () => {
    const report = runDoctor(fakeEnv(guestWith({ getpid: 3 })), ALL_CHECKS);
    report.checks[0]!.evidence.push('é… ünïcode');
    report.checks[0]!.status = 'error';
    report.summary = { passed: report.checks.filter((c) => c.status === 'pass').length, failed: 0, errors: report.checks.filter((c) => c.status === 'error').length };
    expect(report.healthy).toBe(false);
    expect(decodeFrame(encodeFrame(report))).toEqual({ ok: true, report });
  });

  const bad: [string, () => Buffer, RegExp][] = [
    ['empty input', () => Buffer.alloc(0), /truncated frame header/],
    ['console noise', () => Buffer.from('Linux version 6.12 ...\n'), /bad frame header/],
    ['another version', () => Buffer.from(encodeFrame(healthy()).toString('latin1').replace('v1', 'v2'), 'latin1'), /bad frame header/],
    ['truncated payload', () => encodeFrame(healthy()).subarray(0, -10), /truncated payload/],
    ['trailing bytes', () => Buffer.concat([encodeFrame(healthy()), Buffer.from('x')]), /1 bytes after the payload/],
    ['a second frame', () => Buffer.concat([encodeFrame(healthy()), encodeFrame(healthy())]), /a second frame on the same boot/],
    ['flipped payload byte', () => {
      const f = Buffer.from(encodeFrame(healthy()));
      f[f.length - 5] = f[f.length - 5]! ^ 1;
      return f;
    }, /sha256 mismatch/],
    ['not JSON', () => frameOf('{not json'), /not JSON/],
    ['JSON but not a report', () => frameOf('{"healthy":true}'), /not a DoctorReport: report.schema: missing/],
    ['absurd length', () => Buffer.from(`${FRAME_MAGIC} 999999999 ${'0'.repeat(64)}\n`), /exceeds/],
  ];
  it.each(bad)('rejects %s', (_, make, reason) => {
    const r = decodeFrame(make());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('tells a stream reader how much to wait for', () => {
    const frame = encodeFrame(healthy());
    expect(expectedFrameLength(frame.subarray(0, 5))).toBeUndefined();
    expect(expectedFrameLength(frame.subarray(0, 40))).toBeUndefined();
    expect(expectedFrameLength(frame.subarray(0, frame.indexOf(0x0a) + 1))).toBe(frame.length);
    expect(expectedFrameLength(Buffer.from('garbage'))).toBe(-1);
    expect(expectedFrameLength(Buffer.from('x'.repeat(200)))).toBe(-1);
  });
});

describe('DoctorReport validation', () => {
  const mutate = (f: (r: Record<string, unknown> & DoctorReport) => void) => {
    const r = structuredClone(healthy()) as Record<string, unknown> & DoctorReport;
    f(r);
    return validateReport(r);
  };

  it('accepts what the runner produces', () => expect(validateReport(healthy())).toEqual([]));

  it.each<[string, (r: Record<string, unknown> & DoctorReport) => void, string]>([
    ['a forged healthy verdict', (r) => { r.checks[0]!.status = 'fail'; r.summary.passed--; r.summary.failed++; }, 'healthy: true but the checks say false'],
    ['counts that do not add up', (r) => { r.summary.passed = 1; }, 'summary: counts do not match'],
    ['healthy with no checks', (r) => { r.checks = []; r.summary = { passed: 0, failed: 0, errors: 0 }; }, 'healthy: true but the checks say false'],
    ['an unknown status', (r) => { (r.checks[0] as unknown as Record<string, unknown>).status = 'skip'; }, 'checks[0].status: not pass, fail or error'],
    ['an unknown field', (r) => { r.extra = 1; }, 'report.extra: unknown field'],
    ['an unknown check field', (r) => { (r.checks[0] as unknown as Record<string, unknown>).x = 1; }, 'checks[0].x: unknown field'],
    ['evidence not strings', (r) => { (r.checks[0] as unknown as Record<string, unknown>).evidence = [1]; }, 'checks[0].evidence'],
    ['negative ms', (r) => { r.ms = -1; }, 'report.ms: not a duration'],
    ['bad boot timing', (r) => { r.bootTimings = [{ stage: 'init', ms: Number.NaN }]; }, 'bootTimings[0].ms'],
    ['a duplicate check', (r) => { r.checks.push(r.checks[0]!); r.summary.passed++; }, 'checks: a name appears twice'],
    ['no boot facts', (r) => { delete (r as Partial<DoctorReport>).boot; }, 'report.boot: missing'],
    ['a nonce that is not a string', (r) => { (r.boot as unknown as Record<string, unknown>).nonce = 7; }, 'boot.nonce: not a string or null'],
    ['a target without a toolchain', (r) => { delete (r.boot.target as Partial<DoctorReport['boot']['target']>).toolchain; }, 'boot.target.toolchain: missing'],
    ['wrong schema', (r) => { (r as Record<string, unknown>).schema = 'capsem-doctor/1'; }, "report.schema: not 'capsem-doctor/2'"],
  ])('rejects %s', (_, f, problem) => {
    expect(mutate(f).join('\n')).toContain(problem);
  });

  it('rejects non-objects', () => {
    expect(validateReport(null)).toEqual(['report: not an object']);
    expect(validateReport([])).toEqual(['report: not an object']);
  });
});
