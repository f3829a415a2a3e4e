import { describe, expect, it } from 'vitest';
import { ARCHS, FEATURES, KERNELS, RULES, appliesToArch, symbolFor, type SymbolByVersion } from '../../src/policy/index.ts';
import { NO_TREE_HINT, kconfigSymbols, kernelTree } from './kernel-trees.ts';

// Policy metadata checked against the kernel: every symbol the policy names for
// a kernel version must exist in that version's Kconfig tree for that arch.

describe.each(KERNELS)('Kconfig symbols of Linux %s', (kernel) => {
  const tree = kernelTree(kernel);
  describe.each(ARCHS)('%s', (arch) => {
    it.skipIf(!tree)(`every policy and feature symbol exists (${tree ? 'tree found' : NO_TREE_HINT})`, () => {
      const known = kconfigSymbols(tree!, arch);
      const unknown: string[] = [];
      const check = (owner: string, sym: SymbolByVersion) => {
        const s = symbolFor(sym, kernel);
        if ('name' in s && !known.has(s.name)) unknown.push(`${owner}: ${s.name}`);
      };
      for (const rule of RULES) {
        if (rule.kind !== 'kconfig' || !appliesToArch(rule, arch)) continue;
        check(rule.id, rule.symbol);
        for (const r of rule.requires ?? []) check(`${rule.id} (requires)`, r.symbol);
      }
      for (const f of FEATURES) {
        if (!appliesToArch(f, arch)) continue;
        for (const o of f.options) check(`feature ${f.id}`, o.symbol);
      }
      expect(unknown).toEqual([]);
    });

    it.skipIf(!tree)('a symbol marked absent for this version really is absent', () => {
      const known = kconfigSymbols(tree!, arch);
      const present: string[] = [];
      for (const rule of RULES) {
        if (rule.kind !== 'kconfig' || !appliesToArch(rule, arch) || typeof rule.symbol === 'string') continue;
        const here = rule.symbol[kernel];
        if (typeof here === 'string') continue;
        // The name the rule uses anywhere (or the spec's spelling) must not exist in this version.
        const names = new Set([rule.specName, ...Object.values(rule.symbol).filter((v) => typeof v === 'string')]);
        for (const n of names) if (n && known.has(n)) present.push(`${rule.id}: ${n} exists in ${kernel}`);
      }
      expect(present).toEqual([]);
    });
  });
});
