import { describe, expect, it } from 'vitest';
import { ARCHS, FEATURES, KERNELS, RULES, appliesToArch, symbolFor, symbolNames, type SymbolByVersion } from '../../src/policy/index.ts';
import { NO_TREE_HINT, kconfigSymbols, kernelTree, promptedSymbols } from './kernel-trees.ts';

// Policy metadata checked against the kernel: every symbol the policy names for
// a kernel version must exist in that version's Kconfig tree for that arch.

describe.each(KERNELS)('Kconfig symbols of Linux %s', (kernel) => {
  const tree = kernelTree(kernel);
  describe.each(ARCHS)('%s', (arch) => {
    it.skipIf(!tree)(`every policy and feature symbol exists (${tree ? 'tree found' : NO_TREE_HINT})`, () => {
      const known = kconfigSymbols(tree!, arch);
      // The scan itself works: it sees the whole tree, and only real symbols.
      expect(known.size).toBeGreaterThan(10_000);
      expect(known.has('MODULES')).toBe(true);
      expect(known.has('NET_VENDOR_VIRTIO')).toBe(false);
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

    it.skipIf(!tree)('the spec\'s spelling and other versions\' names cannot be set where the rule uses another', () => {
      // An old name may linger without a prompt (transitional, or derived from the new one): asking for it is lost.
      const known = promptedSymbols(tree!, arch);
      expect(known.size).toBeGreaterThan(5_000);
      expect(known.has('MODULES')).toBe(true);
      expect(known.has('64BIT') || arch !== 'x86_64').toBe(true); // `bool "64-bit kernel" if "$(ARCH)" = "x86"`: a prompt with a condition
      const wrong: string[] = [];
      for (const rule of RULES) {
        if (rule.kind !== 'kconfig' || !appliesToArch(rule, arch)) continue;
        const here = symbolFor(rule.symbol, kernel);
        const others = symbolNames(rule.symbol);
        for (const name of new Set([rule.specName, ...others])) {
          if (name && !('name' in here && here.name === name) && known.has(name)) wrong.push(`${rule.id}: ${name} exists in ${kernel}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });
});
