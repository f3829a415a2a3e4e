import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import type { UpJson } from '../../src/cli/commands/up.ts';
import { ARCHS } from '../../src/policy/index.ts';
import { CHECKS, RULES, appliesToArch } from '../../src/policy/index.ts';
import { captureIO } from '../helpers/io.ts';

// The README's main command, end to end: kernel (cached), rootfs (cached), a
// real boot under QEMU (TCG here), and the doctor's verdict over the result port.

const SPEC_CHECKS = CHECKS.filter((c) => c.source === 'spec').map((c) => c.name);

describe.each(ARCHS)('up --arch %s', (arch) => {
  it('is healthy, every doctor check passes, and the JSON (boot --json\'s shape plus the build) names every check of the spec table', async () => {
    const io = captureIO();
    io.env = process.env;
    const code = await run(['up', '--arch', arch, '--json'], io);
    const report = JSON.parse(io.out) as UpJson;
    expect(report.reason, io.err).toBeUndefined();
    expect(code).toBe(0);
    expect(report.healthy).toBe(true);
    expect(report.arch).toBe(arch);
    expect(report.kernel.sizeBytes).toBeGreaterThan(0);
    expect(report.kernel.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.kernel.enabledOptions).toBeGreaterThan(0);
    expect(report.kernel.version).toBe('6.12');
    expect(['kvm', 'tcg']).toContain(report.accel);
    expect(report.accelReason).toBeTruthy();
    // Host-clock alignment needs the doctor's own mark at send time (a bootTimings entry after 'doctor').
    expect(report.timings.msToInit, 'timings.msToInit needs the doctor to append a bootTimings mark when it sends').toBeGreaterThan(0);
    expect(report.timings.phases?.kernelToInit).toBeGreaterThan(0);
    expect(report.timings.msToVerdict).toBeGreaterThan(report.timings.msToInit!);
    const checks = report.doctor?.checks ?? [];
    const byName = new Map(checks.map((c) => [c.name, c.status]));
    expect(SPEC_CHECKS.filter((n) => !byName.has(n))).toEqual([]);
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    // Every check with a rule for this arch (test_no_x32_abi has none on arm64).
    const forArch = (name: string) => RULES.some((r) => (r.checks as readonly string[] | undefined)?.includes(name) && appliesToArch(r, arch));
    expect([...byName.keys()].sort()).toEqual(CHECKS.map((c) => c.name).filter(forArch).sort());
  });
});
