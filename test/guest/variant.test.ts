import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/policy/index.ts';
import { DEFAULT_VARIANT, MUTANTS, buildInputsOf, composeVariants, editCmdline } from '../../src/guest/variant.ts';

describe('composeVariants', () => {
  it('is the default variant when nothing is composed, or only defaults', () => {
    expect(composeVariants()).toBe(DEFAULT_VARIANT);
    expect(composeVariants(DEFAULT_VARIANT, DEFAULT_VARIANT)).toBe(DEFAULT_VARIANT);
  });

  it('returns a single mutant unchanged, default or not around it', () => {
    expect(composeVariants(DEFAULT_VARIANT, MUTANTS.sshd)).toBe(MUTANTS.sshd);
  });

  it('concatenates lists, joins ids, unions broken checks, last scalar wins', () => {
    const v = composeVariants(MUTANTS.sshd, MUTANTS.cron, MUTANTS.extraNic, MUTANTS.rootNotOverlay, MUTANTS.lowerNotSquashfs, MUTANTS.cmdlineNoRo, MUTANTS.cmdlineInitOnAllocOff);
    expect(v.id).toBe('sshd+cron+extra-nic+root-not-overlay+lower-not-squashfs+cmdline-no-ro+cmdline-init-on-alloc-0');
    expect(v.extraProcesses).toEqual(['sshd', 'cron']);
    expect(v.extraNics).toEqual(['dummy1']);
    expect(v.root).toBe('overlay-on-tmpfs');
    expect(v.cmdline).toEqual({ drop: ['ro'], append: ['init_on_alloc=0'] });
    expect(v.breaks).toEqual([
      'test_no_sshd', 'test_process_allowlist', 'test_no_cron', 'test_no_real_nics', 'test_overlay_configured', 'test_mount_table',
      'test_squashfs_is_immutable', 'test_guest_binary_not_writable', 'test_kernel_cmdline_has_ro', 'test_init_on_alloc', 'test_kernel_log_hardening',
    ]);
  });

  it('keeps files and the capsem binary mode', () => {
    const v = composeVariants(MUTANTS.setuidFile, MUTANTS.setgidFile, MUTANTS.writableCapsemBinary);
    expect(v.extraFiles?.map((f) => f.mode)).toEqual([0o4755, 0o2755]);
    expect(v.capsemBinaryMode).toBe(0o755);
  });
});

describe('mutants', () => {
  it('every mutant breaks only checks the policy knows, and has a unique id', () => {
    const names = new Set<string>(CHECKS.map((c) => c.name));
    const ids = Object.values(MUTANTS).map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of Object.values(MUTANTS)) for (const b of m.breaks) expect(names.has(b), `${m.id}: ${b}`).toBe(true);
  });

  it('build inputs differ from the real guest for every image-changing mutant', () => {
    const base = JSON.stringify(buildInputsOf(DEFAULT_VARIANT));
    for (const m of Object.values(MUTANTS)) {
      // Command-line and QEMU-device mutants change the boot, not the images.
      const changesImages = !m.id.startsWith('cmdline-') && !('qemuDevices' in m);
      expect(JSON.stringify(buildInputsOf(m)) !== base, m.id).toBe(changesImages);
    }
  });
});

describe('editCmdline', () => {
  const base = 'console=ttyS0 root=/dev/vda ro init_on_alloc=1 slab_nomerge page_alloc.shuffle=1';
  it('leaves the command line alone for the real guest', () => {
    expect(editCmdline(base, DEFAULT_VARIANT)).toBe(base);
  });
  it('drops every token with the key, and appends (the last value wins in the kernel)', () => {
    expect(editCmdline(base, MUTANTS.cmdlineNoRo)).toBe('console=ttyS0 root=/dev/vda init_on_alloc=1 slab_nomerge page_alloc.shuffle=1');
    expect(editCmdline(base, MUTANTS.cmdlineInitOnAllocOff)).toBe(`${base} init_on_alloc=0`);
    expect(editCmdline(`${base} slab_nomerge`, MUTANTS.cmdlineNoSlabNomerge)).not.toContain('slab_nomerge');
  });
});
