// Suggestions for a name the tree does not define: the nearest defined symbol (a typo).

import type { KconfigTree } from '../tree.ts';

/** A defined symbol at most two edits away: a typo, not a different option. */
export function nearestDefined(name: string, tree: KconfigTree): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const [other, sym] of tree.symbols) {
    if (sym.menus.length === 0 || Math.abs(other.length - name.length) >= bestDistance) continue;
    const d = editDistance(name, other, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [other, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...cur) >= limit) return limit;
    prev = cur;
  }
  return prev[b.length]!;
}

