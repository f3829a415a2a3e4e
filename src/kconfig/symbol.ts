// The Kconfig data model, as scripts/kconfig/expr.h has it: symbols with
// properties, and the menu tree the parser builds. Values are not stored here:
// they are computed per configuration by evaluate.ts.

import type { Expr } from './expr.ts';

export type SymbolType = 'unknown' | 'bool' | 'tristate' | 'int' | 'hex' | 'string';

/** Where something was written: a path relative to the source tree, and a 1-based line. */
export interface Location {
  file: string;
  line: number;
}

export type PropertyKind = 'prompt' | 'menu' | 'comment' | 'default' | 'select' | 'imply' | 'range';

export interface Property extends Location {
  kind: PropertyKind;
  /** The menu entry that wrote it (a symbol defined in two places has two). */
  menu: MenuNode;
  /** prompt / menu / comment text. */
  text?: string;
  /** default: the value expression. select / imply: the target symbol. */
  expr?: Expr;
  /** range: low and high bounds (symbols: numbers are symbols named by their digits). */
  range?: [KSymbol, KSymbol];
  /**
   * The condition (`if ...`). After finalisation it includes every enclosing
   * dependency, exactly as menu_finalize() propagates it.
   */
  cond?: Expr;
}

export interface KSymbol {
  /** Dense index, for per-evaluation arrays. */
  id: number;
  /** undefined for a choice (choices are anonymous) — 6.1 named choices keep their name. */
  name: string | undefined;
  /** Quoted strings and y/m/n are constants; their value is their name. */
  isConst: boolean;
  type: SymbolType;
  /** In definition order, over all of the symbol's entries (prompts included). */
  props: Property[];
  menus: MenuNode[];
  isChoice: boolean;
  /** For a choice member: the choice's menu entry. */
  choice?: MenuNode;
  /** 6.1 only: `optional` choice (may have no member set). */
  optional?: boolean;
  /** 6.18+ `transitional`: an old name read from a .config for its successor's default, never shown or written. */
  transitional?: boolean;
  /** Its definition consults the toolchain ($(cc-option,...), $(CC), ...): a compiler probe. */
  probed?: boolean;
  /**
   * Some entry defines it (`menus` is not empty), where that is known without
   * making the entries (a cached tree); see isDefined().
   */
  readonly defined?: boolean;
  /** OR of the dependencies of every entry (menu_finalize's dir_dep). */
  dirDep?: Expr;
  /** OR over `select`s of this symbol: selector && condition. */
  revDep?: Expr;
  /** OR over `imply`s of this symbol. */
  implied?: Expr;
}

export type MenuKind = 'root' | 'config' | 'menuconfig' | 'choice' | 'menu' | 'if' | 'comment';

export interface MenuNode extends Location {
  kind: MenuKind;
  sym?: KSymbol;
  prompt?: Property;
  /** `depends on` (and the `if` condition of an if-block); after finalisation, with every parent's. */
  dep?: Expr;
  /** `visible if` of a menu. */
  visibility?: Expr;
  parent?: MenuNode;
  children: MenuNode[];
  help?: string;
  /** For a choice entry: its members in definition order. */
  members?: KSymbol[];
}

/** Whether a Kconfig file defines the symbol (not only mentions it). */
export function isDefined(s: KSymbol): boolean {
  return s.defined ?? s.menus.length > 0;
}

export function isBoolish(t: SymbolType): t is 'bool' | 'tristate' {
  return t === 'bool' || t === 'tristate';
}

/** The menu tree below `root` (root excluded), depth first, in file order. */
export function menuEntries(root: MenuNode): MenuNode[] {
  const out: MenuNode[] = [];
  const stack: MenuNode[] = [...root.children].reverse();
  while (stack.length) {
    const m = stack.pop()!;
    out.push(m);
    for (let i = m.children.length - 1; i >= 0; i--) stack.push(m.children[i]!);
  }
  return out;
}
