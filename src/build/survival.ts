// The survival check: Kconfig silently drops a requested line whose symbol does
// not exist or whose dependencies are unmet. We compare every requested line with
// the final .config and refuse to compile when anything did not survive; the
// Kconfig engine (src/kconfig) says whether a symbol exists and why each line died.

import { explainCasualty } from '../kconfig/explain.ts';
import type { KconfigTree } from '../kconfig/tree.ts';

/** Where a requested line came from: a policy rule, a required feature, or a test-only extra fragment. */
export interface Origin {
  kind: 'rule' | 'feature' | 'extra';
  /** Rule or feature id; for 'extra', `file:line`. */
  id: string;
}

export interface RequestedOption {
  /** Without the CONFIG_ prefix. */
  symbol: string;
  /** As written in a .config: y, m, n, "string", 42, 0x10. */
  value: string;
  origin: Origin;
}

export interface Casualty {
  symbol: string;
  requested: string;
  /** The final value; undefined when the symbol is not in the final .config at all. */
  final: string | undefined;
  origin: Origin;
  /** 'unknown-symbol': no `config SYM` for this arch and kernel; 'changed': Kconfig gave it another value. */
  kind: 'unknown-symbol' | 'changed';
}

function sameValue(requested: string, final: string | undefined): boolean {
  // A bool/tristate that is absent from .config is n (Kconfig omits symbols whose menu is invisible).
  if (requested === 'n') return final === undefined || final === 'n';
  if (final === undefined) return false;
  if (requested === final) return true;
  const isNum = (s: string) => /^-?(0x[0-9a-fA-F]+|\d+)$/.test(s);
  return isNum(requested) && isNum(final) && Number(requested) === Number(final);
}

/**
 * Later requests for the same symbol override earlier ones (an extra fragment's
 * lines come after the policy's, as in the fragment handed to Kconfig).
 */
export function effectiveRequests(requested: readonly RequestedOption[]): RequestedOption[] {
  const last = new Map<string, RequestedOption>();
  for (const r of requested) {
    last.delete(r.symbol); // keep the order of the last occurrence
    last.set(r.symbol, r);
  }
  return [...last.values()];
}

export function checkSurvival(
  requested: readonly RequestedOption[],
  final: ReadonlyMap<string, string>,
  isKnownSymbol: (symbol: string) => boolean,
): Casualty[] {
  const casualties: Casualty[] = [];
  for (const r of effectiveRequests(requested)) {
    const got = final.get(r.symbol);
    const base = { symbol: r.symbol, requested: r.value, final: got, origin: r.origin };
    // Checked first even for `=n`: a misspelled or renamed symbol means the policy is not saying what it thinks.
    if (!isKnownSymbol(r.symbol)) casualties.push({ ...base, kind: 'unknown-symbol' });
    else if (!sameValue(r.value, got)) casualties.push({ ...base, kind: 'changed' });
  }
  return casualties;
}

/** Whether the tree has a `config SYM` entry (a name only referenced in expressions has no menu). */
export function isDefinedIn(tree: KconfigTree, symbol: string): boolean {
  return (tree.symbols.get(symbol)?.menus.length ?? 0) > 0;
}

/** Each casualty with the engine's one-line reason; `final` is evaluated once for all of them. */
export function withReasons(
  casualties: readonly Casualty[],
  tree: KconfigTree,
  final: ReadonlyMap<string, string>,
): (Casualty & { reason: string })[] {
  return casualties.map((c) => ({ ...c, reason: explainCasualty({ tree, finalConfig: final, symbol: c.symbol, requested: c.requested }) }));
}
