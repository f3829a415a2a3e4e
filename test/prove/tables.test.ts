import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHS, RULES, TOOLCHAINS, appliesToArch } from '../../src/policy/index.ts';
import { claimsFor } from '../../src/prove/index.ts';
import { PROVING_ADDITIONS, WEAKENINGS, needsWeakenedKernel, unexpectedDifferences, weakenedCmdline, weakenedFragment, weakeningsFor } from '../../src/prove/kernel.ts';
import { LKDTM_TESTS, SKIPPED_TESTS, skippedFor } from '../../src/prove/lkdtm.ts';
import { kernelTree } from '../policy/kernel-trees.ts';

/** Every arch x toolchain a proof can run for. */
const TARGETS = ARCHS.flatMap((arch) => TOOLCHAINS.map((toolchain) => [arch, toolchain] as const));

describe('prove tables', () => {
  it('every proof a rule names is a test the classifier knows, not one skipped on an arch it is claimed for', () => {
    const known = new Set(LKDTM_TESTS.map((t) => t.name));
    const named = RULES.flatMap((r) => (r.proofs ?? []).map((p) => `${r.id}:${p}`));
    expect(named.filter((n) => !known.has(n.split(':')[1]!))).toEqual([]);
    for (const [arch, tc] of TARGETS) {
      const skipped = new Set(skippedFor(arch, tc).flatMap((s) => s.names));
      expect(claimsFor(arch, tc).filter((c) => skipped.has(c.test.name)).map((c) => `${arch}:${tc}:${c.test.name}`)).toEqual([]);
    }
  });

  it('every rule with proofs has a negative control on each arch it is claimed for, and every control belongs to such a rule', () => {
    const proved = RULES.filter((r) => r.proofs?.length).map((r) => r.id).sort();
    expect([...new Set(WEAKENINGS.map((w) => w.rule))].sort()).toEqual(proved);
    for (const w of WEAKENINGS) expect((w.lines?.length ?? 0) + (w.cmdline?.length ?? 0), w.rule).toBeGreaterThan(0);
    for (const [arch, tc] of TARGETS) {
      const rules = weakeningsFor(arch, tc).map((w) => w.rule);
      expect(rules.filter((r, i) => rules.indexOf(r) !== i), `${arch} ${tc}: one control per rule`).toEqual([]);
      const controlled = new Set(rules);
      const claimed = new Set(claimsFor(arch, tc).map((c) => c.rule));
      expect(claimsFor(arch, tc).filter((c) => !controlled.has(c.rule)).map((c) => `${arch}:${tc}:${c.rule}`)).toEqual([]);
      // A control for nothing claimed would change a weakened kernel (and its cache key) for no proof.
      expect([...controlled].filter((r) => !claimed.has(r)).map((r) => `${arch}:${tc}:${r}`)).toEqual([]);
    }
  });

  it.each(TARGETS)('%s %s: the weakened kernel is the proving one plus the controls', (arch, tc) => {
    const controls = weakeningsFor(arch, tc).flatMap((w) => w.lines ?? []);
    expect(weakenedFragment(arch, tc)).toBe([...PROVING_ADDITIONS, ...controls, ''].join('\n'));
    expect(weakenedCmdline(arch, tc)).toEqual(['init_on_alloc=0', 'init_on_free=0', ...(arch === 'x86_64' && tc === 'clang' ? ['cfi=off'] : [])]);
  });

  it('the weakened kernel is built only when a control of the run turns an option off', () => {
    // x86_64 kCFI's control is cfi=off on the proving kernel itself; arm64 has no cfi= and compiles CFI_CLANG out.
    expect(needsWeakenedKernel(['cfi-clang'], 'x86_64', 'clang')).toBe(false);
    expect(needsWeakenedKernel(['init-on-alloc', 'init-on-free'], 'x86_64')).toBe(false);
    expect(needsWeakenedKernel(['cfi-clang'], 'arm64', 'clang')).toBe(true);
    expect(needsWeakenedKernel(['cfi-clang', 'vmap-stack'], 'x86_64', 'clang')).toBe(true);
    expect(needsWeakenedKernel(claimsFor('x86_64').map((c) => c.rule), 'x86_64')).toBe(true);
  });

  it('gcc\'s weakened fragments keep their bytes (build cache keys): the clang-only controls are clang\'s', () => {
    expect(weakenedFragment('x86_64')).toBe(weakenedFragment('x86_64', 'gcc'));
    for (const arch of ARCHS) expect(weakenedFragment(arch, 'gcc')).not.toMatch(/CFI_CLANG|SHADOW_CALL_STACK/);
    expect(weakenedFragment('arm64', 'clang')).toContain('# CONFIG_CFI_CLANG is not set');
    expect(weakenedFragment('arm64', 'clang')).toContain('# CONFIG_SHADOW_CALL_STACK is not set');
    expect(weakenedFragment('x86_64', 'clang')).toBe(weakenedFragment('x86_64', 'gcc'));
  });

  it('clang claims kCFI on both arches and the shadow call stack on arm64; gcc claims neither', () => {
    const pairs = (arch: (typeof ARCHS)[number], tc: (typeof TOOLCHAINS)[number]) => claimsFor(arch, tc).map((c) => `${c.rule}:${c.test.name}`);
    for (const arch of ARCHS) {
      expect(pairs(arch, 'clang')).toContain('cfi-clang:CFI_FORWARD_PROTO');
      expect(pairs(arch, 'gcc').filter((p) => /CFI_/.test(p))).toEqual([]);
      // Everything gcc claims, clang claims too.
      expect(pairs(arch, 'gcc').filter((p) => !pairs(arch, 'clang').includes(p))).toEqual([]);
    }
    expect(pairs('arm64', 'clang')).toContain('arm64-shadow-call-stack:CFI_BACKWARD');
    expect(pairs('x86_64', 'clang')).not.toContain('arm64-shadow-call-stack:CFI_BACKWARD');
  });

  it('only arm64 turns kernel pointer authentication off', () => {
    expect(weakenedFragment('arm64')).toContain('# CONFIG_ARM64_PTR_AUTH_KERNEL is not set');
    expect(weakenedFragment('x86_64')).not.toContain('ARM64_PTR_AUTH');
  });

  it.each(TARGETS)('%s %s: claims are unique (rule, test) pairs', (arch, tc) => {
    const pairs = claimsFor(arch, tc).map((c) => `${c.rule}:${c.test.name}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('arm64 claims kernel pointer authentication (CORRUPT_PAC); x86_64 does not', () => {
    expect(claimsFor('arm64').filter((c) => c.rule === 'arm64-ptr-auth-kernel').map((c) => c.test.name)).toEqual(['CORRUPT_PAC']);
    expect(claimsFor('x86_64').some((c) => c.test.archs?.includes('arm64') && !c.test.archs.includes('x86_64'))).toBe(false);
  });

  it('only the listed symbols may differ from the shipped config', () => {
    const shipped = new Map([['DEBUG_FS', 'n'], ['VMAP_STACK', 'y']]);
    expect(unexpectedDifferences(shipped, new Map([['DEBUG_FS', 'y'], ['LKDTM', 'y'], ['VMAP_STACK', 'y']]))).toEqual([]);
    expect(unexpectedDifferences(shipped, new Map([['DEBUG_FS', 'y']]))).toEqual(['CONFIG_VMAP_STACK: shipped y, proving n']);
  });
});

// The tables against the LKDTM source of the kernel they describe (6.12, unpacked by the test set-up).
describe('prove tables vs LKDTM 6.12', () => {
  const tree = kernelTree('6.12');
  const lkdtm = (f: string) => readFileSync(join(tree!, 'drivers/misc/lkdtm', f), 'utf8');
  const crashtypes = () =>
    readdirSync(join(tree!, 'drivers/misc/lkdtm'))
      .filter((f) => f.endsWith('.c'))
      .flatMap((f) => [...lkdtm(f).matchAll(/^\s*CRASHTYPE\(([A-Z0-9_]+)\),?$/gm)].map((m) => m[1]!));

  it.each(TARGETS)('%s %s: every LKDTM test is claimed or listed as not run with a reason, exactly once', (arch, tc) => {
    expect(tree, 'the 6.12 tree').toBeDefined();
    const all = crashtypes();
    expect(all.length).toBeGreaterThan(80);
    const claimed = claimsFor(arch, tc).map((c) => c.test.name);
    const skipped = skippedFor(arch, tc).flatMap((s) => s.names);
    const listed = [...new Set(claimed), ...skipped];
    expect(all.filter((n) => !listed.includes(n)), 'neither claimed nor listed').toEqual([]);
    expect(listed.filter((n) => !all.includes(n)), 'not an LKDTM 6.12 test').toEqual([]);
    expect(listed.filter((n, i) => listed.indexOf(n) !== i), 'listed twice').toEqual([]);
  });

  it('every known test exists, and its blocked pattern matches the text tests.txt expects for it', () => {
    const all = new Set(crashtypes());
    const expectations = new Map(
      readFileSync(join(tree!, 'tools/testing/selftests/lkdtm/tests.txt'), 'utf8')
        .split('\n')
        .map((l) => /^#?([A-Z0-9_]+)\s*(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!.replace(/^repeat:\d+\s*/, '')] as const),
    );
    for (const t of LKDTM_TESTS) {
      expect(all.has(t.name), t.name).toBe(true);
      const want = expectations.get(t.name);
      // tests.txt's "A|B" is any of A, B (run.sh greps with -E); no text: a call trace.
      const alternatives = want ? want.split('|') : ['call trace:'];
      // Commented out upstream because a stopped attack takes the whole machine down: ours has its own signature.
      if (t.name === 'CORRUPT_STACK_STRONG') continue;
      expect(alternatives.some((a) => t.blocked.test(a) || t.blocked.test(`lkdtm: ${a}`)), `${t.name}: ${t.blocked} vs tests.txt "${want ?? ''}"`).toBe(true);
    }
  });

  it('arm64-only tests are marked so', () => {
    expect(lkdtm('bugs.c')).toMatch(/lkdtm_CORRUPT_PAC[\s\S]*#ifdef CONFIG_ARM64/);
    for (const t of LKDTM_TESTS.filter((x) => x.name === 'CORRUPT_PAC' || x.name === 'CFI_BACKWARD')) expect(t.archs).toEqual(['arm64']);
    expect(SKIPPED_TESTS.some((s) => s.names.includes('CORRUPT_PAC') && s.archs?.join() === 'x86_64')).toBe(true);
    expect(RULES.filter((r) => r.proofs?.includes('CORRUPT_PAC')).every((r) => ARCHS.every((a) => appliesToArch(r, a) === (a === 'arm64')))).toBe(true);
  });
});
