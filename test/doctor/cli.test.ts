import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/doctor/channel.ts';
import { main } from '../../src/doctor/cli.ts';
import { REGISTRY } from '../../src/doctor/registry.ts';
import type { DoctorReport } from '../../src/doctor/types.ts';
import { applyPatch, charDev } from './helpers/fake-guest.ts';
import { healthyGuest } from './helpers/healthy-guest.ts';
import { writeFixture } from './helpers/on-disk.ts';

function run(...argv: string[]) {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  const code = main(argv, io);
  return { code, out: io.out, err: io.err };
}

// On disk a fixture has no block devices and no real probe: those checks are left out.
const ON_DISK = Object.values(REGISTRY)
  .filter((c) => !c.needs.includes('probe') && c.name !== 'test_squashfs_is_immutable')
  .map((c) => c.name);
const healthy = writeFixture(healthyGuest(process.arch === 'arm64' ? 'arm64' : 'x86_64', process.pid));
const weak = writeFixture(applyPatch(healthyGuest(process.arch === 'arm64' ? 'arm64' : 'x86_64', process.pid), { files: { '/dev/mem': charDev(0x101) } }));
afterAll(() => {
  for (const f of [healthy, weak]) {
    rmSync(f.root, { recursive: true, force: true });
    rmSync(f.facts, { force: true });
  }
});

describe('capsem-doctor command line', () => {
  it('--help lists every option and exits 0', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    for (const flag of ['--root', '--proc', '--sys', '--dev', '--probe', '--only', '--json', '--junit', '--tap', '--send', '--timings']) {
      expect(r.out).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /^capsem-doctor: Unknown option '--bogus'.*\(see --help\)\n$/],
    [['--json', '--tap'], /^capsem-doctor: --json and --tap are exclusive/],
    [['--only', 'test_nope'], /^capsem-doctor: --only: unknown check test_nope/],
    [['--only', ''], /^capsem-doctor: --only: unknown check \(none given\)/],
    [['--send', '--fs-facts', '/x'], /never sent/],
    [['--timings', '/nonexistent/timings'], /^capsem-doctor: \/nonexistent\/timings: ENOENT\n$/],
    [['--fs-facts', '/nonexistent/facts'], /^capsem-doctor: \/nonexistent\/facts: ENOENT\n$/],
  ])('%j: one line on stderr, exit 2', (argv, message) => {
    const r = run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed timings file names file and line', () => {
    const t = `${healthy.root}/../bad-timings-${process.pid}`;
    writeFileSync(t, 'init 5\nrootfs soon\n');
    const r = run('--root', healthy.root, '--fs-facts', healthy.facts, '--timings', t);
    rmSync(t);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${t}:2: expected`);
  });

  it('an unknown filesystem name in --fs-facts is an input error', () => {
    const f = `${healthy.root}/../facts-${process.pid}.json`;
    writeFileSync(f, JSON.stringify({ '/proc': 'procfs' }));
    const r = run('--root', healthy.root, '--fs-facts', f);
    rmSync(f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\/proc: unknown filesystem "procfs"/);
  });

  it('--root with --fs-facts: the healthy fixture on disk passes, exit 0', () => {
    const r = run('--root', healthy.root, '--fs-facts', healthy.facts, '--only', ON_DISK.join(','), '--timings', `${healthy.root}/run/capsem/timings`);
    expect(r.err).toBe('');
    expect(r.out).toMatch(new RegExp(`^RESULT: PASS \\(${ON_DISK.length} passed, 0 failed, 0 errors\\) in [\\d.]+ ms$`, 'm'));
    expect(r.out).toContain('boot: rootfs at 830 ms');
    expect(r.code).toBe(0);
  });

  it('--json on a weakened fixture: exit 1, the failing check named', () => {
    const r = run('--root', weak.root, '--fs-facts', weak.facts, '--only', 'test_no_dev_mem,test_no_usb', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as DoctorReport;
    expect(report.checks.map((c) => [c.name, c.status, c.reason])).toEqual([
      ['test_no_dev_mem', 'fail', 'node-present'],
      ['test_no_usb', 'pass', undefined],
    ]);
  });

  it('without statfs facts a fixture tree is not procfs: errors, never passes', () => {
    const r = run('--root', healthy.root, '--only', 'test_no_kallsyms', '--tap');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^not ok 1 - test_no_kallsyms$/m);
    expect(r.out).toContain('reason: proc-not-procfs');
  });

  it('--junit writes the XML report', () => {
    const j = `${healthy.root}/../junit-${process.pid}.xml`;
    const r = run('--root', healthy.root, '--fs-facts', healthy.facts, '--only', 'test_no_usb', '--junit', j);
    expect(r.code).toBe(0);
    expect(readFileSync(j, 'utf8')).toContain('<testcase classname="capsem-doctor" name="test_no_usb"');
    rmSync(j);
  });

  it('--send writes one valid frame to the port named org.capsem.doctor', () => {
    const r = run('--root', healthy.root, '--only', 'test_no_usb', '--send');
    // Without statfs facts the fixture's /proc is not procfs (every check needs it, through self): the check errors, and the verdict is still sent.
    expect(r.code).toBe(1);
    expect(r.err).toBe('capsem-doctor: report sent to /dev/vport0p1\n');
    const decoded = decodeFrame(readFileSync(`${healthy.root}/dev/vport0p1`));
    expect(decoded.ok && decoded.report.checks.map((c) => [c.name, c.status, c.reason])).toEqual([['test_no_usb', 'error', 'proc-not-procfs']]);
  });

  it('--quiet prints no report, and still sends it', () => {
    const r = run('--root', healthy.root, '--only', 'test_no_usb', '--send', '--quiet');
    expect([r.code, r.out, r.err]).toEqual([1, '', 'capsem-doctor: report sent to /dev/vport0p1\n']);
    const decoded = decodeFrame(readFileSync(`${healthy.root}/dev/vport0p1`));
    expect(decoded.ok && decoded.report.checks.map((c) => c.name)).toEqual(['test_no_usb']);
  });

  it('--send without the port: exit 2', () => {
    const r = run('--root', healthy.root, '--sys', `${healthy.root}/nonexistent`, '--only', 'test_no_usb', '--send');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--send: \/sys\/class\/virtio-ports: ENOENT/);
  });
});
