// The unneeded analysis: options switched on that nothing selects and nobody asked for.

import { type Expr, type Tristate, triName } from '../expr.ts';
import type { Evaluation } from '../evaluate.ts';
import type { KSymbol } from '../symbol.ts';
import { at, isBool, promptText } from './model.ts';

/**
 * Enabled options a user switched on (visible prompt, y or m) that nothing
 * selects and nobody asked for: candidates to switch off. `requested` are the
 * symbols the policy asks to be on. Options a requested one depends on are
 * counted apart: switching them off would drop the request.
 */
export function unneededOptions(
  ev: Evaluation,
  requested: ReadonlySet<string>,
): { unneeded: { symbol: string; value: string; prompt?: string; at: string }[]; dependencies: string[] } {
  const tree = ev.tree;
  const needed = new Set<KSymbol>();
  const addDeps = (s: KSymbol) => {
    for (const m of s.menus) {
      for (const t of positiveSymbols(m.dep)) {
        if (needed.has(t)) continue;
        needed.add(t);
        addDeps(t);
      }
    }
  };
  for (const name of requested) {
    const s = tree.symbols.get(name);
    if (s) addDeps(s);
  }
  const unneeded: { symbol: string; value: string; prompt?: string; at: string }[] = [];
  const dependencies: string[] = [];
  for (const s of tree.symbols.values()) {
    if (!s.menus.length || !isBool(s) || s.choice || requested.has(s.name!)) continue;
    const v = ev.tristate(s);
    const st = ev.state(s);
    if (v === 0 || st.visible === 0 || st.selected !== 0) continue;
    if (needed.has(s)) {
      dependencies.push(s.name!);
      continue;
    }
    const prompt = promptText(s);
    unneeded.push({ symbol: s.name!, value: triName(v as Tristate), ...(prompt ? { prompt } : {}), at: at(s.menus[0]!) });
  }
  unneeded.sort((a, b) => a.symbol.localeCompare(b.symbol));
  return { unneeded, dependencies: dependencies.sort() };
}

/** Symbols an expression needs on (not under a `!`). */
function positiveSymbols(e: Expr | undefined, out: KSymbol[] = []): KSymbol[] {
  if (!e) return out;
  switch (e.t) {
    case 'sym':
      if (!e.s.isConst) out.push(e.s);
      break;
    case 'and':
    case 'or':
      positiveSymbols(e.a, out);
      positiveSymbols(e.b, out);
      break;
    case 'cmp':
      if (!e.l.isConst && e.r.isConst && ((e.op === '=' && e.r.name !== 'n') || (e.op === '!=' && e.r.name === 'n'))) out.push(e.l);
      break;
    case 'not':
      break;
  }
  return out;
}
