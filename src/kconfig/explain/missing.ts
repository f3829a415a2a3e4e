// The fragment check: requested lines the final configuration does not have,
// each with its one-line reason and the first settable fix (the build's survival
// check and `explain --missing` both ask here).

import { isDefinedIn, unmetRequests } from '../compare.ts';
import { type Assignment, Evaluation, evaluate } from '../evaluate.ts';
import type { KconfigTree } from '../tree.ts';
import { firstSettable } from './chain.ts';
import { explainSymbol } from './symbol.ts';

/** Evaluations of final configurations, per tree, so that N casualties cost one evaluation. */
const evaluations = new WeakMap<KconfigTree, WeakMap<ReadonlyMap<string, string>, Evaluation>>();

/** The final .config, re-read through the engine (a kernel-written .config is a fixed point). */
function evaluationOf(tree: KconfigTree, finalConfig: ReadonlyMap<string, string> | Evaluation): Evaluation {
  if (finalConfig instanceof Evaluation) return finalConfig;
  let perTree = evaluations.get(tree);
  if (!perTree) evaluations.set(tree, (perTree = new WeakMap()));
  let ev = perTree.get(finalConfig);
  if (!ev) perTree.set(finalConfig, (ev = evaluate(tree, { mode: 'olddefconfig', config: [...finalConfig] })));
  return ev;
}

/**
 * One line saying why `symbol`, requested as `requested`, is not what the
 * final configuration has: unknown symbol (and the policy's other name for it),
 * unmet dependency (the expression and its false terms), forced by select, ...
 * `finalConfig` is the final .config's values (symbol without CONFIG_ -> value).
 */
export function explainCasualty(opts: {
  tree: KconfigTree;
  finalConfig: ReadonlyMap<string, string> | Evaluation;
  symbol: string;
  requested: string;
}): string {
  const ev = evaluationOf(opts.tree, opts.finalConfig);
  const e = explainSymbol(ev, opts.symbol, opts.requested);
  const chain = e.chain[0]?.then ?? [];
  const leaf = firstSettable(chain);
  return leaf ? `${e.reason}; to fix: ${leaf.how.replace(/^user-settable \("[^"]*"\): /, '')}` : e.reason;
}

/** Requested lines of a fragment that the final configuration does not have, each with its reason. */
export function missingOptions(
  tree: KconfigTree,
  fragment: readonly Assignment[],
  finalConfig: ReadonlyMap<string, string> | Evaluation,
): { symbol: string; requested: string; final?: string; reason: string }[] {
  const ev = evaluationOf(tree, finalConfig);
  const requests = fragment.map(([symbol, value]) => ({ symbol, value }));
  return unmetRequests(requests, ev.values(), (s) => isDefinedIn(tree, s)).map(({ request: { symbol, value: requested }, final }) => ({
    symbol,
    requested,
    ...(final !== undefined ? { final } : {}),
    reason: explainCasualty({ tree, finalConfig: ev, symbol, requested }),
  }));
}
