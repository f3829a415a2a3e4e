import { describe, expect, it } from 'vitest';
import { ARCHS, RULES } from '../../src/policy/index.ts';
import { claimsFor } from '../../src/prove/index.ts';
import { PROVING_ADDITIONS, WEAKENINGS, unexpectedDifferences, weakenedCmdline, weakenedFragment } from '../../src/prove/kernel.ts';
import { LKDTM_TESTS, SKIPPED_TESTS } from '../../src/prove/lkdtm.ts';

describe('prove tables', () => {
  it('every proof a rule names is a test the classifier knows, not one listed as skipped', () => {
    const known = new Set(LKDTM_TESTS.map((t) => t.name));
    const skipped = new Set(SKIPPED_TESTS.flatMap((s) => s.names));
    const named = RULES.flatMap((r) => (r.proofs ?? []).map((p) => `${r.id}:${p}`));
    expect(named.filter((n) => !known.has(n.split(':')[1]!))).toEqual([]);
    expect(named.filter((n) => skipped.has(n.split(':')[1]!))).toEqual([]);
  });

  it('every rule with proofs has a negative control, and every control belongs to such a rule', () => {
    const proved = RULES.filter((r) => r.proofs?.length).map((r) => r.id).sort();
    expect(WEAKENINGS.map((w) => w.rule).sort()).toEqual(proved);
    for (const w of WEAKENINGS) expect((w.lines?.length ?? 0) + (w.cmdline?.length ?? 0), w.rule).toBeGreaterThan(0);
  });

  it('the weakened kernel is the proving one plus the controls', () => {
    expect(weakenedFragment().split('\n').slice(0, PROVING_ADDITIONS.length)).toEqual([...PROVING_ADDITIONS]);
    expect(weakenedCmdline()).toEqual(['init_on_alloc=0', 'init_on_free=0']);
  });

  it.each(ARCHS)('%s: claims are unique (rule, test) pairs', (arch) => {
    const pairs = claimsFor(arch).map((c) => `${c.rule}:${c.test.name}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('only the listed symbols may differ from the shipped config', () => {
    const shipped = new Map([['DEBUG_FS', 'n'], ['VMAP_STACK', 'y']]);
    expect(unexpectedDifferences(shipped, new Map([['DEBUG_FS', 'y'], ['LKDTM', 'y'], ['VMAP_STACK', 'y']]))).toEqual([]);
    expect(unexpectedDifferences(shipped, new Map([['DEBUG_FS', 'y']]))).toEqual(['CONFIG_VMAP_STACK: shipped y, proving n']);
  });
});
