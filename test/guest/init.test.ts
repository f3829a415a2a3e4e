import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCompileArgs } from '../../src/guest/assets.ts';
import { nolibcHeaders } from '../../src/guest/nolibc.ts';
import { INIT_PATH, TIMINGS_FILE, initPlan as planOf } from '../../src/guest/init.ts';
import { GUEST } from '../../src/policy/index.ts';
import { DEFAULT_VARIANT, MUTANTS } from '../../src/guest/variant.ts';

type Steps = string[][];
const DOCTOR = ['/usr/lib/capsem/capsem-doctor-rt', '/usr/lib/capsem/capsem-doctor.qbc'];
const initPlan = (v: Parameters<typeof planOf>[0]) => planOf(v, DOCTOR);
/** The plan's steps of one stage, as init/capsem-init.c splits them. */
function stage(plan: string, which: 1 | 2): Steps {
  const lines = plan.split('\n');
  const from = lines.indexOf(`[stage${which}]`);
  const to = which === 1 ? lines.indexOf('[stage2]') : lines.length;
  return lines.slice(from + 1, to).filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
}
const ops = (steps: Steps) => steps.map((s) => s[0]);
const shSteps = (steps: Steps) => steps.filter((s) => s[0] === 'sh').map((s) => s[1]!);
const busybox = (args: string[], input?: string) => execFileSync('/bin/busybox', args, { encoding: 'utf8', ...(input ? { input } : {}) });

describe('capsem-init plan', () => {
  const all = [DEFAULT_VARIANT, ...Object.values(MUTANTS)];

  it.each(all.map((v) => [v.id, v] as const))('%s: every step is one capsem-init knows, both stages end in switch/reboot, sh steps parse', (_id, v) => {
    const plan = initPlan(v);
    const known = new Set(['busybox', 'mount', 'mkdir', 'move', 'umount', 'mark', 'dummy', 'up', 'sh', 'timings', 'doctor', 'switch', 'shell', 'reboot']);
    for (const s of [...stage(plan, 1), ...stage(plan, 2)]) expect(known.has(s[0]!), s.join(' ')).toBe(true);
    expect(stage(plan, 1).at(-1)).toEqual(['switch', '/newroot', INIT_PATH]);
    expect(stage(plan, 2).at(-1)).toEqual(['reboot']);
    for (const text of [...shSteps(stage(plan, 1)), ...shSteps(stage(plan, 2))]) expect(() => busybox(['sh', '-n', '-c', text])).not.toThrow();
  });

  it('the real guest: system calls only (no sh step), squashfs /dev/vda read-only under a tmpfs overlay, then switch_root', () => {
    const s1 = stage(initPlan(DEFAULT_VARIANT), 1);
    const s2 = stage(initPlan(DEFAULT_VARIANT), 2);
    expect([...ops(s1), ...ops(s2)]).not.toContain('sh');
    expect(s1).toContainEqual(['mount', 'squashfs', '/dev/vda', '/lower', 'ro', '-']);
    expect(s1).toContainEqual(['mount', 'overlay', 'overlay', '/newroot', '-', 'lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work']);
  });

  it('the real guest: every mount of the contract (GUEST.mounts), with its flags and mode, and no other', () => {
    const plan = initPlan(DEFAULT_VARIANT);
    const made = [...stage(plan, 1), ...stage(plan, 2)].filter((s) => s[0] === 'mount').map(([, fstype, source, , flags, data]) => ({ fstype, source, flags, data }));
    expect(made.map((m) => m.fstype).sort()).toEqual(GUEST.mounts.map((m) => m.fstype).sort());
    for (const m of GUEST.mounts) {
      const seen = made.filter((x) => x.fstype === m.fstype && x.source === m.source);
      expect(seen.some((x) => (m.flags.join(',') || '-') === x.flags && (!m.mode || x.data!.split(',').includes(`mode=${m.mode}`))), m.mountpoint).toBe(true);
    }
  });

  it('the real guest: lo and dummy0 up, then the doctor first, a shell only when asked, then reboot', () => {
    const s2 = ops(stage(initPlan(DEFAULT_VARIANT), 2));
    expect(s2.indexOf('up')).toBeLessThan(s2.indexOf('doctor'));
    expect(stage(initPlan(DEFAULT_VARIANT), 2).filter((s) => s[0] === 'up').map((s) => s[1])).toEqual(['lo', 'dummy0']);
    expect(stage(initPlan(DEFAULT_VARIANT), 2)).toContainEqual(['doctor', ...DOCTOR, '--send', '--timings', TIMINGS_FILE]);
    expect(s2.slice(s2.indexOf('doctor'))).toEqual(['doctor', 'shell', 'reboot']);
  });

  it('mutants change what they say, before the doctor', () => {
    const before = (v: typeof DEFAULT_VARIANT) => {
      const s = stage(initPlan(v), 2);
      return shSteps(s.slice(0, ops(s).indexOf('mark', ops(s).indexOf('up')) + 1 + s.length)).join('\n');
    };
    expect(before(MUTANTS.sshd)).toMatch(/\/run\/sshd & \}/);
    expect(before(MUTANTS.extraNic)).toContain("ip link add 'dummy1' type dummy");
    expect(stage(initPlan(MUTANTS.rootNotOverlay), 1)).toContainEqual(['mount', 'squashfs', '/dev/vda', '/newroot', 'ro', '-']);
    expect(ops(stage(initPlan(MUTANTS.rootNotOverlay), 1))).toEqual(expect.not.arrayContaining([expect.stringMatching(/overlay/)]));
    expect(shSteps(stage(initPlan(MUTANTS.lowerNotSquashfs), 1)).join('\n')).toContain('cp -a /lower/. /copy/');
    expect(initPlan(MUTANTS.noResult)).not.toContain('--send');
    expect(shSteps(stage(initPlan(MUTANTS.garbageResult), 2)).join('\n')).toMatch(/printf 'capsem says healthy, trust me\\n' > "\$port"/);
  });
});

// The C program itself, on this host: it refuses a broken plan with one line (a plan
// it cannot run would otherwise end the VM with no word), and `mark`/`timings` write
// "<stage> <ms>" lines. Built as the guest's is (against nolibc, the same arguments) but for
// the host, with CAPSEM_INIT_TEST; run as stage 2 (not /init) in a scratch directory, never as PID 1.
describe('capsem-init (the program)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsem-init-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'capsem-init');
  const plan = join(dir, 'plan');
  beforeAll(async () => {
    // The first run on a machine extracts nolibc from the kernel tarball (it reads all 150 MB).
    const nolibc = await nolibcHeaders();
    const defines = { PLAN_PATH: plan, SHELL_PARAM: 'capsem_shell', SHELL_PATH: '/bin/busybox', CHILD_PATH: '/usr/bin:/bin', CAPSEM_INIT_TEST: '1' };
    execFileSync('gcc', initCompileArgs(nolibc.dir, defines, bin));
  }, 10 * 60_000);
  const runPlan = (text: string, env: Record<string, string> = {}) => {
    writeFileSync(plan, text);
    return spawnSync(bin, [], { encoding: 'utf8', env: { CAPSEM_TIMINGS: 'init 5\n', ...env } });
  };

  it('is built on nolibc, not a libc: static and a few tens of KB (a static glibc one is ~700 KB)', () => {
    expect(statSync(bin).size).toBeLessThan(100_000);
    expect(execFileSync('readelf', ['-lW', bin], { encoding: 'utf8' })).not.toMatch(/INTERP/);
  });

  it('nolibc: a missing kernel tarball is one line naming the package', async () => {
    await expect(nolibcHeaders({ tarball: join(dir, 'linux-source-6.12.tar.xz') })).rejects.toThrow(
      expect.objectContaining({ name: 'EnvironmentError', message: expect.stringMatching(/^\S+ missing: .*install linux-source-6\.12; `npm run setup` does\)$/) }),
    );
  });

  it('doctor: told --quiet (no text to format) unless a console shell is wanted, then it prints to the console', () => {
    const out = join(dir, 'doctor-args');
    const step = ['doctor', '/bin/sh', '-c', `echo "$@" > ${out}; echo text`, 'sh', '--send'].join('\t');
    const quiet = runPlan(`[stage2]\n${step}\nreboot\n`);
    expect([quiet.status, quiet.stdout, execFileSync('cat', [out], { encoding: 'utf8' })]).toEqual([3, '', '--send --quiet\n']);
    const shell = runPlan(`[stage2]\n${step}\nreboot\n`, { capsem_shell: '1' });
    expect([shell.status, shell.stdout, execFileSync('cat', [out], { encoding: 'utf8' })]).toEqual([3, 'text\n', '--send\n']);
  });

  it('mark and timings: the stage-1 marks handed over, then its own', () => {
    const out = join(dir, 'timings');
    const r = runPlan(`[stage1]\nreboot\n[stage2]\nmark capsem-init\nmark doctor\ntimings\t${out}\nreboot\n`.replace(/ /g, '\t'));
    expect(r.status).toBe(3);
    const lines = execFileSync('cat', [out], { encoding: 'utf8' }).trim().split('\n');
    expect(lines[0]).toBe('init 5');
    expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['capsem-init', 'doctor']);
    for (const l of lines.slice(1)) expect(l).toMatch(/^[a-z-]+ \d+$/);
  });

  it.each([
    ['an unknown step', 'frobnicate\tx', /plan: unknown step frobnicate/],
    ['a step with the wrong number of fields', 'mkdir', /plan: mkdir takes 1 fields, got 0/],
    ['an unknown mount flag', 'mount\ttmpfs\ttmpfs\t/nonexistent-capsem\tnosymfollow\t-', /plan: unknown mount flag nosymfollow/],
    ['a failing sh step', 'sh\tfalse', /a variant step failed \(status 1\): false/],
    ['no reboot at the end', 'mark\tx', /the plan ended without reboot/],
  ])('%s: one line on stderr, then the VM ends', (_what, step, message) => {
    const r = runPlan(`[stage1]\nreboot\n[stage2]\n${step}\nreboot\n`.replace(/\nreboot\n$/, step.startsWith('mark') ? '\n' : '\nreboot\n'));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(3);
  });
});
