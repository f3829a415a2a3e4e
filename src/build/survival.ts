// The survival check: Kconfig silently drops a requested line whose symbol does
// not exist or whose dependencies are unmet. We compare every requested line with
// the final .config (src/kconfig/compare.ts) and refuse to compile when anything
// did not survive; the Kconfig engine says why each line died.

import { type Request, type Unmet, unmetRequests } from '../kconfig/compare.ts';
import { explainCasualty } from '../kconfig/explain.ts';
import type { KconfigTree } from '../kconfig/tree.ts';

export { effectiveRequests, isDefinedIn } from '../kconfig/compare.ts';

/** Where a requested line came from: a policy rule, a required feature, or a test-only extra fragment. */
export interface Origin {
  kind: 'rule' | 'feature' | 'extra';
  /** Rule or feature id; for 'extra', `file:line`. */
  id: string;
}

/** A requested line (value as written in a .config: y, m, n, "string", 42, 0x10) and where it came from. */
export interface RequestedOption extends Request {
  origin: Origin;
}

/** A requested line that did not survive (final: undefined when the final .config has no line for it). */
export interface Casualty extends Omit<Unmet<RequestedOption>, 'request'> {
  symbol: string;
  requested: string;
  origin: Origin;
}

export function checkSurvival(
  requested: readonly RequestedOption[],
  final: ReadonlyMap<string, string>,
  isKnownSymbol: (symbol: string) => boolean,
): Casualty[] {
  return unmetRequests(requested, final, isKnownSymbol).map(({ request: r, final: got, kind }) => ({
    symbol: r.symbol, requested: r.value, final: got, origin: r.origin, kind,
  }));
}

/** Each casualty with the engine's one-line reason; `final` is evaluated once for all of them. */
export function withReasons(
  casualties: readonly Casualty[],
  tree: KconfigTree,
  final: ReadonlyMap<string, string>,
): (Casualty & { reason: string })[] {
  return casualties.map((c) => ({ ...c, reason: explainCasualty({ tree, finalConfig: final, symbol: c.symbol, requested: c.requested }) }));
}
