// Kconfig expressions and their tristate algebra (scripts/kconfig/expr.c).
// n = 0, m = 1, y = 2: `&&` is min, `||` is max, `!` is 2 - x.

import type { KSymbol } from './symbol.ts';

export type Tristate = 0 | 1 | 2;
export const NO: Tristate = 0;
export const MOD: Tristate = 1;
export const YES: Tristate = 2;

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { t: 'sym'; s: KSymbol }
  | { t: 'not'; e: Expr }
  | { t: 'and'; a: Expr; b: Expr }
  | { t: 'or'; a: Expr; b: Expr }
  | { t: 'cmp'; op: CompareOp; l: KSymbol; r: KSymbol };

export const and3 = (a: Tristate, b: Tristate): Tristate => (a < b ? a : b);
export const or3 = (a: Tristate, b: Tristate): Tristate => (a > b ? a : b);
export const not3 = (a: Tristate): Tristate => (2 - a) as Tristate;

export function triName(t: Tristate): 'n' | 'm' | 'y' {
  return t === 2 ? 'y' : t === 1 ? 'm' : 'n';
}

export function symExpr(s: KSymbol): Expr {
  return { t: 'sym', s };
}

/** `a && b`, where a missing operand means "no condition" (y). */
export function andExpr(a: Expr | undefined, b: Expr | undefined): Expr | undefined {
  if (!a) return b;
  if (!b) return a;
  return { t: 'and', a, b };
}

export function orExpr(a: Expr | undefined, b: Expr | undefined): Expr | undefined {
  if (!a) return b;
  if (!b) return a;
  return { t: 'or', a, b };
}

/**
 * `e = n` as expr_trans_compare(e, E_EQUAL, &symbol_no) rewrites it: pushed
 * down to the symbols, so it differs from a value test at m (`!X = n` is `X != n`).
 */
export function equalsNo(e: Expr, no: KSymbol, equal = true): Expr {
  const wrap = (x: Expr): Expr => (equal ? x : { t: 'not', e: x });
  switch (e.t) {
    case 'and':
      return wrap({ t: 'or', a: equalsNo(e.a, no), b: equalsNo(e.b, no) });
    case 'or':
      return wrap({ t: 'and', a: equalsNo(e.a, no), b: equalsNo(e.b, no) });
    case 'not':
      return equalsNo(e.e, no, !equal);
    case 'cmp':
      return equal ? { t: 'not', e } : e;
    case 'sym':
      return { t: 'cmp', op: equal ? '=' : '!=', l: e.s, r: no };
  }
}

/**
 * menu.c's rewrite_m(): a literal `m` in a dependency becomes `m && MODULES`,
 * so that it evaluates to n when modules are off.
 */
export function rewriteM(e: Expr | undefined, mod: KSymbol, modules: KSymbol): Expr | undefined {
  if (!e || !mentions(e, mod)) return e;
  switch (e.t) {
    case 'not':
      return { t: 'not', e: rewriteM(e.e, mod, modules)! };
    case 'and':
    case 'or':
      return { t: e.t, a: rewriteM(e.a, mod, modules)!, b: rewriteM(e.b, mod, modules)! };
    case 'sym':
      return e.s === mod ? { t: 'and', a: e, b: symExpr(modules) } : e;
    default:
      return e;
  }
}

function mentions(e: Expr, s: KSymbol): boolean {
  switch (e.t) {
    case 'sym':
      return e.s === s;
    case 'not':
      return mentions(e.e, s);
    case 'and':
    case 'or':
      return mentions(e.a, s) || mentions(e.b, s);
    case 'cmp':
      return false;
  }
}

/** The operands of the top-level `&&` chain, left to right. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.t === 'and') return [...conjuncts(e.a), ...conjuncts(e.b)];
  return [e];
}

/** The operands of the top-level `||` chain, left to right. */
export function disjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.t === 'or') return [...disjuncts(e.a), ...disjuncts(e.b)];
  return [e];
}

/**
 * For display only: drops `y` from `&&` chains and `n` from `||` chains and
 * repeated operands (menu_finalize's expr_eliminate_dups does the same), so
 * `A && A && y` reads `A`. The value is unchanged.
 */
export function tidy(e: Expr | undefined): Expr | undefined {
  if (!e) return e;
  if (e.t === 'not') return { t: 'not', e: tidy(e.e)! };
  if (e.t !== 'and' && e.t !== 'or') return e;
  const parts = e.t === 'and' ? conjuncts(e) : disjuncts(e);
  const neutral = e.t === 'and' ? 'y' : 'n';
  const seen = new Set<string>();
  let out: Expr | undefined;
  let dropped: Expr | undefined;
  for (const part of parts) {
    const p = tidy(part)!;
    if (p.t === 'sym' && p.s.isConst && p.s.name === neutral) {
      dropped = p;
      continue;
    }
    const key = printExpr(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out = out ? { t: e.t, a: out, b: p } : p;
  }
  // Only neutral operands: the expression is that constant.
  return out ?? dropped!;
}

const RANK: Record<Expr['t'], number> = { or: 0, and: 1, not: 2, cmp: 3, sym: 4 };

/**
 * Prints like expr_print(): `||` inside `&&` and anything compound under `!`
 * is parenthesised. `label` may annotate each symbol (e.g. with its value).
 */
export function printExpr(e: Expr | undefined, label: (s: KSymbol) => string = plainName): string {
  if (!e) return 'y';
  const sub = (x: Expr, parent: Expr['t']) => {
    const text = printExpr(x, label);
    const needsParens = parent === 'not' ? x.t === 'and' || x.t === 'or' : RANK[x.t] < RANK[parent];
    return needsParens ? `(${text})` : text;
  };
  switch (e.t) {
    case 'sym':
      return label(e.s);
    case 'not':
      return `!${sub(e.e, 'not')}`;
    case 'and':
      return `${sub(e.a, 'and')} && ${sub(e.b, 'and')}`;
    case 'or':
      return `${sub(e.a, 'or')} || ${sub(e.b, 'or')}`;
    case 'cmp':
      return `${label(e.l)}${e.op}${label(e.r)}`;
  }
}

function plainName(s: KSymbol): string {
  if (s.name === undefined) return '<choice>';
  // Constants other than y/m/n were quoted strings in the source.
  return s.isConst && !/^[ymn]$/.test(s.name) ? `"${s.name}"` : s.name;
}
