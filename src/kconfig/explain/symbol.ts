// Why a symbol has the value it has: a front end over the engine, shaped like
// the kernel's unmet-dependency warning (sym_warn_unmet_dep): the value, the
// limiting expression with each symbol's value, who selects it, which default
// applied; then the chain of unmet `depends on` terms down to the first symbol
// a user could change.

import { sameValue } from '../compare.ts';
import { printExpr, triName } from '../expr.ts';
import type { Evaluation } from '../evaluate.ts';
import type { KSymbol, Property } from '../symbol.ts';
import { stepFor } from './chain.ts';
import { at, type Explanation, isBool, relations, show, unmetTerms } from './model.ts';
import { policyName } from './policy-name.ts';
import { reasonFor, unknownReason } from './reason.ts';

/** Explains one symbol in one evaluated configuration. */
export function explainSymbol(ev: Evaluation, name: string, requested?: string): Explanation {
  const tree = ev.tree;
  const sym = tree.symbols.get(name);
  const known = policyName(name, tree.series);
  const head = {
    symbol: name,
    kernel: tree.series,
    ...(tree.arch ? { arch: tree.arch } : {}),
    ...(known ? { policyName: known } : {}),
    ...(requested !== undefined ? { requested } : {}),
  };
  if (!sym || !sym.menus.length || sym.type === 'unknown') {
    const e: Explanation = { ...head, defined: false, definitions: [], selectedBy: [], impliedBy: [], chain: [], reason: '' };
    e.reason = unknownReason(e, tree);
    return e;
  }
  const st = ev.state(sym);
  const value = ev.written(sym) ? ev.configValue(sym) : undefined;
  const e: Explanation = {
    ...head,
    defined: true,
    type: sym.type,
    definitions: sym.menus.map((m) => ({
      at: at(m),
      ...(m.prompt?.text !== undefined ? { prompt: m.prompt.text } : {}),
      ...(m.dep ? { dependsOn: printExpr(m.dep) } : {}),
    })),
    ...(value !== undefined ? { value } : {}),
    visible: triName(st.visible),
    selectedBy: relations(ev, sym, 'select'),
    impliedBy: relations(ev, sym, 'imply'),
    chain: [],
    reason: '',
  };
  if (!sym.choice) {
    e.dependsOn = {
      expr: show(ev, sym.dirDep),
      value: triName(st.dependsOn),
      unmet: unmetTerms(ev, sym.dirDep).map((t) => show(ev, t)),
    };
  }
  // A default applies when no input value counts: none given, or the prompt is hidden.
  const d = ev.defaultProp(sym);
  if (d && !sym.choice && (!ev.hasUser(sym) || st.visible === 0)) {
    e.defaultApplied = { value: show(ev, d.prop.expr), ...condOf(ev, d.prop), at: at(d.prop) };
  }
  const range = ev.rangeProp(sym);
  if (range) e.range = { low: range.range![0].name!, high: range.range![1].name!, at: at(range) };
  if (sym.choice) {
    const chosen = sym.choice.members!.find((m) => ev.tristate(m) === 2);
    e.choice = {
      at: at(sym.choice),
      ...(sym.choice.prompt?.text ? { prompt: sym.choice.prompt.text } : {}),
      ...(chosen?.name ? { chosen: chosen.name } : {}),
    };
  }
  const current = value ?? (isBool(sym) ? 'n' : '');
  const want = wanted(sym, current, requested);
  if (want) e.chain = [stepFor(ev, sym, want, 0, new Set())!];
  e.reason = reasonFor(ev, sym, e, requested);
  return e;
}

function condOf(ev: Evaluation, p: Property): { cond?: string } {
  // The condition includes the entry's dependencies; show only the `if` part when it adds something.
  const own = p.cond && p.menu.dep && p.cond.t === 'and' && p.cond.a === p.menu.dep ? p.cond.b : p.cond === p.menu.dep ? undefined : p.cond;
  return own ? { cond: show(ev, own) } : {};
}

/** Which way the symbol would have to move: toward the request, or (no request) toward on when it is off. */
function wanted(sym: KSymbol, current: string, requested: string | undefined): 'y' | 'n' | undefined {
  if (!isBool(sym)) return undefined;
  if (requested === undefined) return current === 'n' ? 'y' : undefined;
  if (sameValue(requested, current)) return undefined;
  return requested === 'n' ? 'n' : current === 'n' ? 'y' : undefined;
}

