import { describe, expect, it } from 'vitest';
import { requestedOptions } from '../../src/kconfig/fragment.ts';
import {
  ARCHS,
  CHECKS,
  DEFAULT_TOOLCHAIN,
  FEATURES,
  GUEST,
  KERNELS,
  RULES,
  SECTIONS,
  TOOLCHAINS,
  cmdlineFor,
  resolveRule,
  toolchainWaiverReason,
  type Rule,
} from '../../src/policy/index.ts';

const TARGETS = ARCHS.flatMap((arch) => KERNELS.flatMap((kernel) => TOOLCHAINS.map((toolchain) => ({ arch, kernel, toolchain }))));

/**
 * Issue 14 item 3: only a rule's `toolchain` may give the other toolchain as the reason it is waived under the
 * default one (and then the reason is the measured default). A hand-written waiver for the default toolchain,
 * or one that applies under it and names the other toolchain, is a problem.
 */
function toolchainWaiverProblems(rules: readonly Rule[]): string[] {
  const others = TOOLCHAINS.filter((t) => t !== DEFAULT_TOOLCHAIN);
  return rules.flatMap((r) =>
    (r.waivers ?? []).flatMap((w) => {
      if (w.when?.toolchain === DEFAULT_TOOLCHAIN) return [`${r.id}: a waiver for the default toolchain (${DEFAULT_TOOLCHAIN}): give the rule toolchain: instead`];
      const named = others.filter((o) => new RegExp(`\\b${o}\\b`, 'i').test(w.reason));
      return w.when?.toolchain === undefined && named.length ? [`${r.id}: applies under ${DEFAULT_TOOLCHAIN} and names ${named.join(', ')}: "${w.reason}"`] : [];
    }),
  );
}

/** A rule that is never enforced anywhere (always waived or absent) needs no runtime check. */
function neverEnforced(rule: Rule): boolean {
  return TARGETS.every((t) => resolveRule(rule, t).status !== 'enforced');
}

describe('policy', () => {
  it('rule ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('feature ids are unique', () => {
    const ids = FEATURES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every check is named by at least one rule, and every rule names only known checks', () => {
    const named = new Set(RULES.flatMap((r) => r.checks ?? []));
    const known = new Set(CHECKS.map((c) => c.name));
    expect([...known].filter((c) => !named.has(c))).toEqual([]);
    expect([...named].filter((c) => !known.has(c))).toEqual([]);
  });

  it('every rule that is enforced somewhere names its checks or proofs, or says why it is unobservable', () => {
    const silent = RULES.filter((r) => !neverEnforced(r) && !(r.checks?.length || r.proofs?.length || r.unobservable)).map((r) => r.id);
    expect(silent).toEqual([]);
  });

  it('no rule has both checks or proofs and an unobservable reason', () => {
    expect(RULES.filter((r) => (r.checks?.length || r.proofs?.length) && r.unobservable).map((r) => r.id)).toEqual([]);
  });

  it('every guest rule is verified by a doctor check (nothing else can see it)', () => {
    expect(RULES.filter((r) => r.kind === 'guest' && !r.checks?.length).map((r) => r.id)).toEqual([]);
  });

  it('every section has rules and every rule has a rationale', () => {
    for (const s of Object.keys(SECTIONS)) expect(RULES.some((r) => r.section === s)).toBe(true);
    for (const r of RULES) expect(r.rationale.length, r.id).toBeGreaterThan(10);
  });

  it('every waiver says why', () => {
    for (const r of RULES) for (const w of r.waivers ?? []) expect(w.reason.length, r.id).toBeGreaterThan(10);
  });

  it('under the default toolchain, the other is a waiver reason only for a rule that needs it, and then says the default was measured', () => {
    expect(toolchainWaiverProblems(RULES)).toEqual([]);
    const other = TOOLCHAINS.find((t) => t !== DEFAULT_TOOLCHAIN)!;
    for (const t of TARGETS.filter((x) => x.toolchain === DEFAULT_TOOLCHAIN)) {
      for (const r of RULES) {
        const res = resolveRule(r, t);
        if (res.status === 'waived' && new RegExp(`\\b${other}\\b`, 'i').test(res.reason)) {
          expect(r.kind === 'kconfig' && r.toolchain, `${r.id} ${t.arch} ${t.kernel}`).toBe(other);
          expect(res.reason).toBe(toolchainWaiverReason(other, DEFAULT_TOOLCHAIN));
          expect(res.reason).toMatch(/by measurement \(README "Toolchain"\)/);
        }
      }
    }
    // What the check rejects.
    const base = RULES.find((r) => r.id === 'cfi-clang')!;
    expect(toolchainWaiverProblems([{ ...base, toolchain: undefined, waivers: [{ when: { toolchain: DEFAULT_TOOLCHAIN }, reason: 'needs the other compiler' }] } as Rule])).toHaveLength(1);
    expect(toolchainWaiverProblems([{ ...base, waivers: [{ reason: `${other} only, and our build has ${DEFAULT_TOOLCHAIN}` }] } as Rule])).toHaveLength(1);
    expect(toolchainWaiverProblems([{ ...base, waivers: [{ when: { toolchain: other }, reason: `${other} 22 only` }] } as Rule])).toEqual([]);
  });

  it('kconfig rule values are well-formed .config values', () => {
    for (const r of RULES) {
      if (r.kind !== 'kconfig') continue;
      expect(r.value, r.id).toMatch(/^(?:[ymn]|-?[0-9]+|0x[0-9a-fA-F]+|"(?:[^"\\]|\\.)*")$/);
    }
  });

  it.each(TARGETS)('no two parts of the policy ask for different values ($arch $kernel $toolchain)', (t) => {
    expect(() => requestedOptions(t)).not.toThrow();
  });

  it('the spec\'s names that are not real symbols are kept as specName with the real one', () => {
    const bySpec = Object.fromEntries(RULES.flatMap((r) => (r.kind === 'kconfig' && r.specName ? [[r.specName, r]] : [])));
    expect(bySpec.NET_VENDOR_VIRTIO?.symbol).toBe('VIRTIO_NET');
    expect(bySpec.SLAB_FREELIST_RANDOMIZE?.symbol).toBe('SLAB_FREELIST_RANDOM');
    expect(bySpec.PAGE_TABLE_ISOLATION?.symbol).toEqual([
      { name: 'PAGE_TABLE_ISOLATION' },
      { from: '6.9', name: 'MITIGATION_PAGE_TABLE_ISOLATION' },
    ]);
    expect(bySpec.RETPOLINE?.symbol).toEqual([{ name: 'RETPOLINE' }, { from: '6.9', name: 'MITIGATION_RETPOLINE' }]);
  });
});

describe('cmdlineFor', () => {
  // The spec's line, then the policy's additions.
  it.each([
    ['x86_64', 'console=ttyS0 root=/dev/vda ro init_on_alloc=1 slab_nomerge page_alloc.shuffle=1 '],
    ['arm64', 'console=hvc0 root=/dev/vda ro init_on_alloc=1 slab_nomerge page_alloc.shuffle=1 '],
  ] as const)('%s starts with the spec\'s command line', (arch, prefix) => {
    expect(cmdlineFor(arch).startsWith(prefix)).toBe(true);
  });

  it('contains exactly the enforced cmdline rules, one token each', () => {
    for (const arch of ARCHS) {
      const enforced = RULES.filter(
        (r) => r.kind === 'cmdline' && resolveRule(r, { arch, kernel: '6.12', toolchain: 'gcc' }).status === 'enforced',
      );
      expect(cmdlineFor(arch).split(' ')).toHaveLength(enforced.length);
    }
  });

  it('pti=on only on x86_64', () => {
    expect(cmdlineFor('x86_64')).toMatch(/ pti=on/);
    expect(cmdlineFor('arm64')).not.toMatch(/pti=/);
  });

  it('fits the kernel\'s COMMAND_LINE_SIZE (2048 on x86_64 and arm64) with room for the machine\'s additions', () => {
    for (const arch of ARCHS) expect(cmdlineFor(arch).length).toBeLessThan(1024);
  });

  it('names the guest root device', () => {
    expect(cmdlineFor('arm64')).toContain(`root=${GUEST.rootDevice}`);
  });
});
