import { describe, expect, it } from 'vitest';
import { ARCHS } from '../../src/policy/index.ts';
import { ALL_CHECK_NAMES, GUEST_MUTANTS, KERNEL_WEAKENINGS, NOT_SHOWN_BY_A_MUTANT, expectedFailures, weakeningFragment } from '../e2e/mutants.ts';

// The mutation suite's table (test/e2e/mutants.ts) checked without booting
// anything: every check is made to fail by some mutant on every arch, or the
// table says why it cannot be.
describe('mutation table', () => {
  it.each(ARCHS)('%s: every check is failed by a mutant or listed with a reason', (arch) => {
    const shown = new Set(expectedFailures(arch).flatMap((m) => m.breaks));
    const excused = Object.entries(NOT_SHOWN_BY_A_MUTANT)
      .filter(([, v]) => v!.archs.includes(arch))
      .map(([k]) => k);
    const missing = ALL_CHECK_NAMES.filter((c) => !shown.has(c) && !excused.includes(c));
    expect(missing).toEqual([]);
    // An excuse for a check a mutant does show would hide a stale entry.
    expect(excused.filter((c) => shown.has(c as never))).toEqual([]);
  });

  it('mutant ids are unique and every mutant breaks something', () => {
    for (const arch of ARCHS) {
      const ms = expectedFailures(arch);
      expect(new Set(ms.map((m) => m.id)).size).toBe(ms.length);
      for (const m of ms) expect(m.breaks.length, m.id).toBeGreaterThan(0);
    }
  });

  it('kernel weakenings break disjoint checks (the union is exact only then)', () => {
    const all = KERNEL_WEAKENINGS.flatMap((w) => w.breaks);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(ARCHS)('%s: the weakening fragment is Kconfig lines only', (arch) => {
    for (const line of weakeningFragment(arch).split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(CONFIG_[A-Z0-9_]+=y|# CONFIG_[A-Z0-9_]+ is not set|# .*)$/);
    }
  });

  it('guest mutants are real variants with command-line or image changes', () => {
    for (const m of GUEST_MUTANTS) {
      const v = m.variant;
      expect(Boolean(v.cmdline || v.qemuDevices || v.extraFiles || v.extraProcesses || v.extraNics || v.swapNics || v.runtimeFiles || v.copyUp || v.root || v.capsemBinaryMode || v.tamper || v.confineDoctor), v.id).toBe(true);
    }
  });

  it('a mutant whose checks must be errors names every check the doctor runs', () => {
    for (const m of GUEST_MUTANTS.filter((g) => g.status === 'error')) {
      for (const arch of m.archs ?? ARCHS) expect([...m.breaks[arch]].sort(), `${m.variant.id} ${arch}`).toEqual(ALL_CHECK_NAMES.filter((c) => c !== 'test_no_x32_abi' || arch === 'x86_64').sort());
    }
  });
});
