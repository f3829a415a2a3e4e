import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { initScript, TIMINGS_FILE } from '../../src/guest/init.ts';
import { GUEST } from '../../src/policy/index.ts';
import { DEFAULT_VARIANT, MUTANTS } from '../../src/guest/variant.ts';

const busybox = (args: string[], input?: string) => execFileSync('/bin/busybox', args, { encoding: 'utf8', ...(input ? { input } : {}) });
const stage2 = (script: string) => script.slice(script.indexOf('# Stage 2'));

describe('capsem-init', () => {
  it.each([DEFAULT_VARIANT, ...Object.values(MUTANTS)].map((v) => [v.id, v] as const))('%s: busybox sh parses it', (_id, v) => {
    expect(() => busybox(['sh', '-n'], initScript(v))).not.toThrow();
  });

  it('mark writes "<stage> <ms since boot>" without leading zeros', () => {
    const script = initScript(DEFAULT_VARIANT);
    const fn = script.slice(script.indexOf('mark() {'), script.indexOf('# PID 1'));
    const out = busybox(['sh', '-c', `T=; ${fn}\nmark first; mark second; printf '%s' "$T"`]);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^(first|second) [1-9]\d*$/);
    const uptimeMs = Number(busybox(['cat', '/proc/uptime']).split(' ')[0]) * 1000;
    expect(Math.abs(Number(lines[0]!.split(' ')[1]) - uptimeMs)).toBeLessThan(5000);
  });

  it('the real guest: squashfs /dev/vda read-only under a tmpfs overlay, then switch_root', () => {
    const s = initScript(DEFAULT_VARIANT);
    expect(s).toContain('mount -t squashfs -o ro /dev/vda /lower');
    expect(s).toContain('mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot');
    expect(s).toContain('exec switch_root /newroot /usr/local/bin/capsem-init');
  });

  it('the real guest: every mount of the contract (GUEST.mounts), with its flags, and no other', () => {
    const s = initScript(DEFAULT_VARIANT);
    const made = [...s.matchAll(/mount -t (\S+)(?: -o (\S+))? (\S+) (\S+)/g)].map((m) => ({ fstype: m[1], options: m[2] ?? '', source: m[3] }));
    expect(made.map((m) => m.fstype).sort()).toEqual(GUEST.mounts.map((m) => m.fstype).sort());
    for (const m of GUEST.mounts) {
      const seen = made.filter((x) => x.fstype === m.fstype && x.source === m.source);
      expect(seen.some((x) => m.flags.every((f) => x.options.split(',').includes(f))), `${m.mountpoint} ${m.flags.join(',')}`).toBe(true);
    }
  });

  it('the real guest: lo and dummy0 only, then the doctor first, and nothing runs in the background', () => {
    const s = stage2(initScript(DEFAULT_VARIANT));
    const doctorAt = s.indexOf('capsem-doctor --send');
    expect(s.indexOf('ip link set lo up && ip link set dummy0 up')).toBeLessThan(doctorAt);
    expect(s).not.toMatch(/&\s*$/m);
    expect(s.match(/ip link add/g)).toHaveLength(1);
    expect(s).toContain(`capsem-doctor --send --timings ${TIMINGS_FILE} > "$out"`);
    // After the verdict: a shell only when asked, then reboot (QEMU -no-reboot ends the VM).
    expect(s.slice(doctorAt)).toMatch(/if \[ -n "\$\{capsem_shell:-\}" \]; then\n.*setsid cttyhack sh -l\nfi\nreboot -f/s);
  });

  it('mutants change what they say, before the doctor', () => {
    const before = (v: typeof DEFAULT_VARIANT) => {
      const s = stage2(initScript(v));
      return s.slice(0, s.indexOf('mark doctor'));
    };
    expect(before(MUTANTS.sshd)).toMatch(/\/run\/sshd &/);
    expect(before(MUTANTS.extraNic)).toContain("ip link add 'dummy1' type dummy");
    expect(initScript(MUTANTS.rootNotOverlay)).toContain('mount -t squashfs -o ro /dev/vda /newroot');
    expect(initScript(MUTANTS.rootNotOverlay)).not.toContain('mount -t overlay');
    expect(initScript(MUTANTS.lowerNotSquashfs)).toMatch(/cp -a \/lower\/\. \/copy\/ && umount \/lower/);
    expect(initScript(MUTANTS.noResult)).not.toContain('--send');
    expect(initScript(MUTANTS.garbageResult)).toMatch(/printf 'capsem says healthy, trust me\\n' > "\$port"/);
  });
});
