// The chain: what would have to change for a symbol to get the value wanted, down
// through hidden prompts, unmet dependency terms and active selectors to the
// first symbol a user could set.

import { conjuncts, disjuncts, type Expr } from '../expr.ts';
import type { Evaluation } from '../evaluate.ts';
import type { KSymbol } from '../symbol.ts';
import { at, isBool, probeHow, promptText, relations, show, type Step, unmetTerms } from './model.ts';

const MAX_DEPTH = 6;

/**
 * What must change for `s` to become `needs` (y: on, n: off): a step, with
 * the steps below it when the symbol itself cannot be set.
 */
export function stepFor(ev: Evaluation, s: KSymbol, needs: 'y' | 'n', depth: number, seen: Set<KSymbol>): Step | undefined {
  const name = s.name ?? '<choice>';
  const value = s.menus.length ? ev.stringValue(s) : '(undefined)';
  const base = { symbol: name, value, needs };
  // A symbol already explained higher up is not repeated.
  if (seen.has(s) || depth > MAX_DEPTH) return undefined;
  seen.add(s);
  if (!s.menus.length) return { ...base, settable: false, how: 'not defined for this arch and kernel', then: [] };
  const st = ev.state(s);
  const selectors = relations(ev, s, 'select');
  if (needs === 'n') {
    const active = selectors.filter((r) => r.value !== 'n');
    if (active.length) {
      const then = active.slice(0, 4).flatMap((r) => listOf(stepFor(ev, ev.tree.symbols.get(r.by)!, 'n', depth + 1, seen)));
      return { ...base, settable: false, how: `selected by ${active.map((r) => r.by).join(', ')}`, then };
    }
    if (st.visible !== 0) return { ...base, settable: true, how: `user-settable: set CONFIG_${name}=n`, then: [] };
    if (s.probed) return { ...base, settable: false, how: probeHow(s), then: [] };
    const d = ev.defaultProp(s);
    const how = d ? `no visible prompt: its default (${at(d.prop)}) makes it ${value}` : `no visible prompt`;
    return { ...base, settable: false, how, then: [] };
  }
  if (s.choice) {
    const chosen = s.choice.members!.find((m) => ev.tristate(m) === 2);
    if (st.visible !== 0) {
      return {
        ...base,
        settable: true,
        how: `a choice (${at(s.choice)}): pick it with CONFIG_${name}=y${chosen ? ` (now ${chosen.name})` : ''}`,
        then: [],
      };
    }
  } else if (st.visible !== 0) {
    return { ...base, settable: true, how: `user-settable ("${promptText(s)}"): set CONFIG_${name}=y`, then: [] };
  }
  const prompts = s.props.filter((p) => p.text !== undefined);
  if (prompts.length) {
    // The prompt is hidden: its condition (dependencies included) has false terms.
    const cond = prompts[0]!.cond;
    const unmet = unmetTerms(ev, cond);
    const then = unmet.flatMap((t) => termSteps(ev, t, true, depth + 1, seen));
    return { ...base, settable: false, how: `its prompt is hidden: needs ${unmet.map((t) => show(ev, t)).join(' && ') || show(ev, cond)}`, then };
  }
  if (s.probed) return { ...base, settable: false, how: probeHow(s), then: [] };
  const names = selectors.map((r) => r.by);
  const how = names.length
    ? `no prompt: only a select turns it on (selectable by ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}; none active)`
    : 'no prompt and nothing selects it: only its defaults set it';
  return { ...base, settable: false, how, then: [] };
}

/** Steps that make `term` true (want=true) or false. */
function termSteps(ev: Evaluation, term: Expr, want: boolean, depth: number, seen: Set<KSymbol>): Step[] {
  switch (term.t) {
    case 'sym':
      return term.s.isConst ? [] : listOf(stepFor(ev, term.s, want ? 'y' : 'n', depth, seen));
    case 'not':
      return termSteps(ev, term.e, !want, depth, seen);
    case 'cmp': {
      if (!isBool(term.l) || !term.r.isConst) return [];
      const r = term.r.name;
      const raises = (term.op === '=' && r !== 'n') || (term.op === '!=' && r === 'n');
      const lowers = (term.op === '=' && r === 'n') || (term.op === '!=' && r === 'y');
      if (!raises && !lowers) return [];
      return listOf(stepFor(ev, term.l, raises === want ? 'y' : 'n', depth, seen));
    }
    case 'and':
      // All must hold: the false ones matter. (To make it false, any one will do: the first.)
      return want
        ? conjuncts(term).filter((t) => ev.exprValue(t) === 0).flatMap((t) => termSteps(ev, t, true, depth, seen))
        : termSteps(ev, conjuncts(term)[0]!, false, depth, seen);
    case 'or':
      // Any one will do: show the first way.
      return want
        ? termSteps(ev, disjuncts(term)[0]!, true, depth, seen)
        : disjuncts(term).filter((t) => ev.exprValue(t) !== 0).flatMap((t) => termSteps(ev, t, false, depth, seen));
  }
}

const listOf = (s: Step | undefined): Step[] => (s ? [s] : []);

export function firstSettable(steps: Step[]): Step | undefined {
  for (const s of steps) {
    if (s.settable) return s;
    const deeper = firstSettable(s.then);
    if (deeper) return deeper;
  }
  return undefined;
}
