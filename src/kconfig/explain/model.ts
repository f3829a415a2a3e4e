// The explanation's model: what `explain` says about one symbol (its value, dependencies,
// selectors, default, the chain of changes), and the small readings of the engine
// the other explain modules share.

import { conjuncts, disjuncts, type Expr, printExpr, tidy, triName } from '../expr.ts';
import type { Evaluation } from '../evaluate.ts';
import type { KSymbol } from '../symbol.ts';

/** One step of "what would have to change": a symbol, the value it needs, and how (or what blocks it). */
export interface Step {
  symbol: string;
  value: string;
  needs: 'y' | 'n';
  /** True when a user can set it directly (its prompt is visible). */
  settable: boolean;
  how: string;
  then: Step[];
}

export interface Relation {
  /** The selecting / implying symbol. */
  by: string;
  /** Its condition with values: `FOO [=y] && BAR [=n]`. */
  expr: string;
  value: 'n' | 'm' | 'y';
  at: string;
}

export interface Explanation {
  symbol: string;
  kernel: string;
  arch?: string;
  defined: boolean;
  /** The policy's name for it in this kernel, when the name asked for is another version's (or the spec's). */
  policyName?: { name?: string; absent?: string };
  type?: string;
  definitions: { at: string; prompt?: string; dependsOn?: string }[];
  /** As .config writes it; undefined when it is not written (invisible, no default). */
  value?: string;
  /** What the input (fragment or .config) asked for. */
  requested?: string;
  visible?: 'n' | 'm' | 'y';
  dependsOn?: { expr: string; value: 'n' | 'm' | 'y'; unmet: string[] };
  selectedBy: Relation[];
  impliedBy: Relation[];
  defaultApplied?: { value: string; cond?: string; at: string };
  range?: { low: string; high: string; at: string };
  choice?: { at: string; prompt?: string; chosen?: string };
  /** What would have to change for the symbol to get the value wanted. */
  chain: Step[];
  /** One line: why. */
  reason: string;
}

export const at = (x: { file: string; line: number }) => `${x.file}:${x.line}`;

/** A symbol name annotated like expr_gstr_print: `FOO [=y]` (constants and undefined names bare). */
function labeller(ev: Evaluation): (s: KSymbol) => string {
  return (s) => {
    if (s.isConst || s.type === 'unknown' || s.name === undefined) return printExpr({ t: 'sym', s });
    return `${s.name} [=${ev.stringValue(s)}]`;
  };
}

export const show = (ev: Evaluation, e: Expr | undefined) => printExpr(tidy(e), labeller(ev));

export function isBool(s: KSymbol): boolean {
  return s.type === 'bool' || s.type === 'tristate';
}

/** Whether a user can set the symbol directly in this configuration. */
export function settable(ev: Evaluation, s: KSymbol): boolean {
  return ev.state(s).visible !== 0;
}

export function promptText(s: KSymbol): string | undefined {
  return s.props.find((p) => p.text !== undefined)?.text;
}

/** Relations (select / imply) pointing at `s`, from its reverse-dependency expression. */
export function relations(ev: Evaluation, s: KSymbol, kind: 'select' | 'imply'): Relation[] {
  const out: Relation[] = [];
  const expr = kind === 'select' ? s.revDep : s.implied;
  for (const term of disjuncts(expr)) {
    const by = conjuncts(term)[0];
    const bySym = by?.t === 'sym' ? by.s : undefined;
    const prop = bySym?.props.find((p) => p.kind === kind && p.expr?.t === 'sym' && p.expr.s === s);
    out.push({
      by: bySym?.name ?? '?',
      expr: show(ev, term),
      value: triName(ev.exprValue(term)),
      at: prop ? at(prop) : '?',
    });
  }
  return out;
}

export function probeHow(s: KSymbol): string {
  return `a compiler probe (${at(s.menus[0]!)}): the toolchain decides it, not the configuration`;
}

export function unmetTerms(ev: Evaluation, e: Expr | undefined): Expr[] {
  return conjuncts(tidy(e)).filter((t) => ev.exprValue(t) === 0);
}

