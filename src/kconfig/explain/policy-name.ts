// The policy lookup: which name the policy gives a symbol in one kernel series
// (rules and features rename options across versions; the spec has its own names).

import { FEATURES, parseKernelSeries, RULES, symbolFor, symbolNames, type SymbolByVersion } from '../../policy/index.ts';

/** The policy's spelling of a symbol for `kernel`, when `name` is its spelling in another version (or the spec's). */
export function policyName(name: string, kernel: string): { name?: string; absent?: string } | undefined {
  const series = parseKernelSeries(kernel);
  if (!series) return undefined;
  const all: { symbol: SymbolByVersion; specName?: string }[] = [];
  for (const r of RULES) {
    if (r.kind !== 'kconfig') continue;
    all.push({ symbol: r.symbol, ...(r.specName ? { specName: r.specName } : {}) });
    for (const q of r.requires ?? []) all.push({ symbol: q.symbol });
  }
  for (const f of FEATURES) for (const o of f.options) all.push({ symbol: o.symbol });
  for (const { symbol, specName } of all) {
    if (!symbolNames(symbol).includes(name) && specName !== name) continue;
    const here = symbolFor(symbol, series);
    if ('absent' in here) return { absent: here.absent };
    if (here.name !== name) return { name: here.name };
  }
  return undefined;
}

