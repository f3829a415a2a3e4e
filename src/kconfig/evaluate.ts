// Symbol values, computed the way scripts/kconfig computes them: symbol.c's
// sym_calc_value() / sym_calc_visibility() / sym_calc_choice(), confdata.c's
// conf_read_simple() for input, and conf.c's modes (olddefconfig, allnoconfig
// with KCONFIG_ALLCONFIG, defconfig). Both kconfig generations are handled:
// `tree.dialect.legacy` selects the pre-6.11 choice and default rules.
//
// A value is never stored in the tree: an Evaluation is one configuration,
// computed lazily and memoised, like the kernel's SYMBOL_VALID flag.

import { and3, type Expr, MOD, NO, not3, or3, type Tristate, triName, YES } from './expr.ts';
import { isBoolish, isDefined, type KSymbol, type MenuNode, type Property } from './symbol.ts';
import type { KconfigTree } from './tree.ts';

const VALID = 1;
const WRITE = 2;
const DEF_USER = 4;
/** 6.1: compute the choice before its member (conf_set_all_new_symbols sets it). */
const NEED_CHOICE = 8;
/** The user value came from allnoconfig's "everything else n", not from the input. */
const FROM_ALLNO = 16;

/** One `CONFIG_X=value` line: the name without CONFIG_, the value as written (`y`, `"str"`, `0x10`). */
export type Assignment = readonly [name: string, raw: string];

/** Where the kernel reads a configuration from. */
export type Start =
  | { mode: 'olddefconfig'; config: readonly Assignment[] }
  | { mode: 'defconfig'; config: readonly Assignment[] }
  | { mode: 'allnoconfig'; fragment?: readonly Assignment[] };

export interface EvaluateOptions {
  /**
   * Compute a value only when it is asked for (and what it depends on), not every
   * symbol up front as conf does: the audit asks for its rules' symbols only. The
   * values are the full evaluation's (kconfig's values do not depend on the order
   * they are computed in; test/kconfig/on-demand.test.ts compares the two on real
   * configs). The one order conf imposes, 6.1's second pass over ints/hexes out of
   * range, keeps its full first pass.
   */
  onDemand?: boolean;
}

export interface ReadReport {
  /** Names in the input that no Kconfig file defines (conf ignores them). */
  unknown: string[];
  /** conf_warning()s: invalid values, overrides. */
  warnings: string[];
}

export class Evaluation {
  readonly read: ReadReport = { unknown: [], warnings: [] };
  private readonly flags: Uint8Array;
  private readonly tri: Uint8Array;
  private readonly val: string[];
  private readonly vis: Uint8Array;
  private readonly dirTri: Uint8Array;
  private readonly revTri: Uint8Array;
  private readonly impTri: Uint8Array;
  private readonly userTri: Uint8Array;
  private readonly userVal: (string | undefined)[];
  /** 6.1: the member a choice picked (curr.val) and the one the user picked (def.val). */
  private readonly choicePick: (KSymbol | undefined)[];
  private readonly userPick: (KSymbol | undefined)[];
  /** 6.11+: choice members by priority (user input moves a member to the front). */
  private readonly priority = new Map<MenuNode, KSymbol[]>();
  private modulesVal: Tristate = NO;
  private readonly legacy: boolean;
  /**
   * Bumped by every write of a value (tri/val) and every invalidation: the last
   * condition evaluated is reused only while this has not moved (a symbol's
   * prompt, dependency and default conditions are often one shared expression).
   */
  private generation = 0;
  private lastCond: { e: Expr | undefined; v: Tristate; generation: number } = { e: undefined, v: NO, generation: -1 };

  private readonly onDemand: boolean;

  constructor(
    readonly tree: KconfigTree,
    start: Start,
    opts: EvaluateOptions = {},
  ) {
    this.onDemand = opts.onDemand ?? false;
    const n = tree.all.length;
    this.flags = new Uint8Array(n);
    this.tri = new Uint8Array(n);
    this.val = new Array<string>(n).fill('');
    this.vis = new Uint8Array(n);
    this.dirTri = new Uint8Array(n);
    this.revTri = new Uint8Array(n);
    this.impTri = new Uint8Array(n);
    this.userTri = new Uint8Array(n);
    this.userVal = new Array(n);
    this.choicePick = new Array(n);
    this.userPick = new Array(n);
    this.legacy = tree.dialect.legacy;
    for (const [s, t] of [
      [tree.yes, YES],
      [tree.mod, MOD],
      [tree.no, NO],
    ] as const) {
      this.flags[s.id] = VALID;
      this.tri[s.id] = t;
      this.val[s.id] = s.name!;
    }
    for (const c of tree.choices) this.priority.set(c, [...c.members!]);
    this.run(start);
  }

  // ---- the modes (conf.c main) -------------------------------------------------

  private run(start: Start): void {
    if (start.mode === 'allnoconfig') {
      if (start.fragment) this.readUserValues(start.fragment);
      this.setAllNew();
      this.invalidateAll();
      this.calc(this.tree.modules);
      this.computeAll();
      return;
    }
    this.readUserValues(start.config);
    this.calc(this.tree.modules);
    this.computeAll();
    if (this.legacy) {
      // The reset below sees, and olddefconfig keeps, every value of the first pass (made
      // with the out-of-range input): on demand, that pass is made now, when there is one.
      if (this.onDemand && this.tree.all.some((s) => this.outOfRange(s))) this.computeAll(true);
      const reset = this.legacyResetOutOfRange();
      // defconfig recomputes everything afterwards; olddefconfig only what was reset.
      if (start.mode === 'defconfig') this.invalidateAll();
      else for (const s of reset) this.flags[s.id]! &= ~VALID;
      this.generation++;
      this.calc(this.tree.modules);
      this.computeAll();
    }
  }

  /** Every symbol, in menu order (conf's order); on demand, only when `really`. */
  private computeAll(really = !this.onDemand): void {
    if (!really) return;
    for (const m of this.tree.entries) if (m.sym) this.calc(m.sym);
  }

  private invalidateAll(): void {
    this.generation++;
    for (const s of this.tree.all) if (!s.isConst) this.flags[s.id]! &= ~VALID;
  }

  /** conf_set_all_new_symbols(def_no): every unset bool/tristate the user could set becomes n. */
  private setAllNew(): void {
    if (this.legacy) {
      // 6.1 walks every symbol, prompt or not, choices included.
      for (const s of this.tree.all) {
        if (s.isConst || this.hasUser(s) || (this.flags[s.id]! & VALID) || !isBoolish(s.type)) continue;
        this.userTri[s.id] = NO;
        this.flags[s.id]! |= DEF_USER | FROM_ALLNO;
      }
      for (const s of this.tree.all) if (s.choice) this.flags[s.id]! |= NEED_CHOICE;
      return;
    }
    for (const m of this.tree.entries) {
      const s = m.sym;
      if (!s || !m.prompt || this.hasUser(s) || !isBoolish(s.type) || s.choice || s.isChoice) continue;
      this.userTri[s.id] = NO;
      this.flags[s.id]! |= DEF_USER | FROM_ALLNO;
    }
  }

  /** conf_read_simple(): user values from a .config or fragment, validated per type. */
  private readUserValues(assignments: readonly Assignment[]): void {
    // Read once, into a new evaluation: nothing is set or computed yet (but y/m/n).
    // 6.1 marks every choice as having a user value.
    if (this.legacy) for (const s of this.tree.all) if (s.isChoice) this.flags[s.id]! |= DEF_USER;
    for (const [name, raw] of assignments) {
      const sym = this.tree.symbols.get(name);
      // A name only ever referenced (never defined) is unknown too; conf reads it and ignores it.
      if (!sym || !isDefined(sym)) this.read.unknown.push(name);
      if (!sym) continue;
      if (this.hasUser(sym)) this.read.warnings.push(`override: reassigning to symbol ${name}`);
      if (!this.setUserValue(sym, raw)) continue;
      const choice = sym.choice;
      if (!choice) continue;
      if (!this.legacy) {
        // The last member read has the highest priority.
        const list = this.priority.get(choice)!;
        const i = list.indexOf(sym);
        if (i >= 0) list.splice(i, 1);
        list.unshift(sym);
        continue;
      }
      const cs = choice.sym!;
      const t = this.userTri[sym.id] as Tristate;
      if (t === MOD && this.userTri[cs.id] === YES) {
        this.read.warnings.push(`${name} creates inconsistent choice state`);
        this.flags[cs.id]! &= ~DEF_USER;
      } else if (t === YES) {
        if (this.userTri[cs.id] !== NO) this.read.warnings.push(`override: ${name} changes choice state`);
        this.userPick[cs.id] = sym;
      }
      this.userTri[cs.id] = or3(this.userTri[cs.id] as Tristate, t);
    }
  }

  /** conf_set_sym_val(): false when the value is invalid for the symbol's type. */
  private setUserValue(sym: KSymbol, raw: string): boolean {
    const id = sym.id;
    const bad = () => {
      this.read.warnings.push(`symbol value '${raw}' invalid for ${sym.name}`);
      return false;
    };
    switch (sym.type) {
      case 'tristate':
      case 'bool': {
        const c = raw[0];
        const t = c === 'y' ? YES : c === 'n' ? NO : c === 'm' && sym.type === 'tristate' ? MOD : undefined;
        if (t === undefined) return bad();
        this.userTri[id] = t;
        this.flags[id]! |= DEF_USER;
        return true;
      }
      case 'string': {
        // Without an opening quote the line is ignored, silently (as conf does).
        if (raw[0] !== '"') return true;
        let out = '';
        let i = 1;
        for (; i < raw.length; i++) {
          const c = raw[i];
          if (c === '"') break;
          if (c === '\\') i++;
          if (i < raw.length) out += raw[i];
        }
        if (i >= raw.length) {
          this.read.warnings.push('invalid string found');
          return false;
        }
        this.userVal[id] = out;
        this.flags[id]! |= DEF_USER;
        return true;
      }
      case 'int':
      case 'hex':
        if (!stringValid(sym, raw)) return bad();
        this.userVal[id] = raw;
        this.flags[id]! |= DEF_USER;
        return true;
      default:
        return true;
    }
  }

  /** 6.1 conf_read(): an int/hex user value outside its range is dropped (the default applies). */
  private legacyResetOutOfRange(): KSymbol[] {
    const reset: KSymbol[] = [];
    for (const s of this.tree.all) {
      if (!this.outOfRange(s)) continue;
      this.flags[s.id]! &= ~(VALID | DEF_USER);
      this.generation++;
      reset.push(s);
    }
    return reset;
  }

  /** 6.1: an int/hex user value outside its range. */
  private outOfRange(s: KSymbol): boolean {
    if (!this.hasUser(s) || s.choice || (s.type !== 'int' && s.type !== 'hex')) return false;
    return !this.withinRange(s, this.userVal[s.id]!);
  }

  private withinRange(s: KSymbol, str: string): boolean {
    if (!stringValid(s, str)) return false;
    const prop = this.rangeProp(s);
    if (!prop) return true;
    const base = s.type === 'hex' ? 16 : 10;
    const v = strtoll(str, base);
    return v >= this.rangeBound(prop.range![0], base) && v <= this.rangeBound(prop.range![1], base);
  }

  // ---- sym_calc_value ----------------------------------------------------------

  hasUser(s: KSymbol): boolean {
    return (this.flags[s.id]! & DEF_USER) !== 0;
  }

  /** sym_get_type(): a tristate is a bool while MODULES is off (and, in 6.1, as a fully visible choice member). */
  typeOf(s: KSymbol): KSymbol['type'] {
    if (s.type !== 'tristate') return s.type;
    if (this.legacy && s.choice && this.vis[s.id] === YES) return 'bool';
    return this.modulesVal === NO ? 'bool' : 'tristate';
  }

  private calcVisibility(s: KSymbol): void {
    const id = s.id;
    if (s.transitional) {
      // Always takes the input's value; its dependency, select and imply values stay n.
      this.vis[id] = YES;
      return;
    }
    let t: Tristate = NO;
    const choiceSym = this.legacy ? s.choice?.sym : undefined;
    for (const p of s.props) {
      if (p.text === undefined) continue;
      let v = this.cond(p.cond);
      // 6.1: a tristate member at m is hidden once its choice is y.
      if (choiceSym && s.type === 'tristate' && v === MOD && this.tri[choiceSym.id] === YES) v = NO;
      t = or3(t, v);
    }
    if (t === MOD && (s.type !== 'tristate' || this.modulesVal === NO)) t = YES;
    this.vis[id] = t;
    if (s.choice) return;
    const asBool = (x: Tristate): Tristate => (x === MOD && this.typeOf(s) === 'bool' ? YES : x);
    this.dirTri[id] = asBool(s.dirDep ? this.cond(s.dirDep) : YES);
    this.revTri[id] = asBool(s.revDep ? this.exprValue(s.revDep) : NO);
    this.impTri[id] = asBool(s.implied ? this.exprValue(s.implied) : NO);
  }

  /** The first `default` whose condition holds, with the condition's value. */
  defaultProp(s: KSymbol): { prop: Property; cond: Tristate } | undefined {
    for (const p of s.props) {
      if (p.kind !== 'default') continue;
      const cond = this.cond(p.cond);
      if (cond !== NO) return { prop: p, cond };
    }
    return undefined;
  }

  rangeProp(s: KSymbol): Property | undefined {
    return s.props.find((p) => p.kind === 'range' && this.exprValue(p.cond) !== NO);
  }

  private rangeBound(r: KSymbol, base: number): bigint {
    this.calc(r);
    const b = r.type === 'int' ? 10 : r.type === 'hex' ? 16 : base;
    return strtoll(this.val[r.id]!, b);
  }

  private validateRange(s: KSymbol): void {
    if (s.type !== 'int' && s.type !== 'hex') return;
    const prop = this.rangeProp(s);
    if (!prop) return;
    const base = s.type === 'hex' ? 16 : 10;
    const v = strtoll(this.val[s.id]!, base);
    let bound = prop.range![0];
    if (v >= this.rangeBound(bound, base)) {
      bound = prop.range![1];
      if (v <= this.rangeBound(bound, base)) return;
    }
    this.val[s.id] = this.val[bound.id]!;
    this.generation++;
  }

  calc(s: KSymbol): void {
    const id = s.id;
    if (this.flags[id]! & VALID) return;
    if (this.legacy && s.choice && this.flags[id]! & NEED_CHOICE) {
      this.flags[id]! &= ~NEED_CHOICE;
      this.calc(s.choice.sym!);
    }
    this.flags[id]! |= VALID;
    let newVal: string;
    switch (s.type) {
      case 'int':
        newVal = this.legacy ? '' : '0';
        break;
      case 'hex':
        newVal = this.legacy ? '' : '0x0';
        break;
      case 'string':
        newVal = '';
        break;
      case 'bool':
      case 'tristate':
        newVal = 'n';
        break;
      default:
        // Undefined names and numbers: the value is the name.
        this.val[id] = s.name ?? '';
        this.tri[id] = NO;
        this.generation++;
        return;
    }
    this.flags[id]! &= ~WRITE;
    this.calcVisibility(s);
    if (this.vis[id] !== NO) this.flags[id]! |= WRITE;
    // What a recursive reference sees while this one is being computed.
    this.tri[id] = NO;
    this.val[id] = newVal;
    this.generation++;
    let newTri: Tristate = NO;

    const type = this.typeOf(s);
    if (type === 'bool' || type === 'tristate') {
      if (s.choice && !this.legacy) {
        this.calcChoice(s.choice);
        newTri = this.tri[id] as Tristate;
      } else if (s.choice && this.legacy && this.vis[id] === YES) {
        newTri = this.choicePick[s.choice.sym!.id] === s ? YES : NO;
      } else {
        newTri = this.boolValue(s);
      }
      if (newTri === MOD && this.typeOf(s) === 'bool') newTri = YES;
    } else if (this.vis[id] !== NO && this.hasUser(s)) {
      newVal = this.userVal[id]!;
    } else {
      const d = this.defaultProp(s);
      const ds = d?.prop.expr?.t === 'sym' ? d.prop.expr.s : undefined;
      if (ds) {
        this.flags[id]! |= WRITE;
        this.calc(ds);
        newVal = this.val[ds.id]!;
      }
    }
    if (this.tree.dialect.transitional && !this.hasUser(s) && !s.choice && !s.isChoice) this.adoptTransitional(s, newTri, newVal);
    this.tri[id] = newTri;
    this.val[id] = newVal;
    this.generation++;
    if (this.legacy && s.isChoice) this.choicePick[id] = newTri === YES ? this.calcChoiceLegacy(s) : undefined;
    this.validateRange(s);
    if (s === this.tree.modules) this.modulesVal = this.tri[id] as Tristate;
    if (s.isChoice || s.transitional) this.flags[id]! &= ~WRITE;
  }

  /**
   * 6.18+: a value whose default is one transitional symbol the input set
   * counts as the input's own, so a renamed option keeps the old line's value.
   */
  private adoptTransitional(s: KSymbol, t: Tristate, v: string): void {
    const d = this.defaultProp(s);
    const from = d?.prop.expr?.t === 'sym' ? d.prop.expr.s : undefined;
    if (!from?.transitional || !this.hasUser(from)) return;
    this.userTri[s.id] = t;
    this.userVal[s.id] = v;
    this.flags[s.id]! |= DEF_USER;
  }

  /** The non-choice path of sym_calc_value for bool/tristate. */
  private boolValue(s: KSymbol): Tristate {
    const id = s.id;
    let t: Tristate = NO;
    if (this.vis[id] !== NO && this.hasUser(s)) {
      t = and3(this.userTri[id] as Tristate, this.vis[id] as Tristate);
    } else {
      if (this.revTri[id] !== NO) this.flags[id]! |= WRITE;
      if (!s.isChoice) {
        const d = this.defaultProp(s);
        if (d) {
          t = and3(this.exprValue(d.prop.expr), d.cond);
          if (t !== NO) this.flags[id]! |= WRITE;
        }
        if (this.impTri[id] !== NO) {
          this.flags[id]! |= WRITE;
          t = and3(or3(t, this.impTri[id] as Tristate), this.dirTri[id] as Tristate);
        }
      }
    }
    return or3(t, this.revTri[id] as Tristate);
  }

  /** 6.11+ sym_calc_choice(): user's y by priority, else the default, else first unset, else last. */
  private calcChoice(choice: MenuNode): KSymbol | undefined {
    const list = this.priority.get(choice)!;
    let res: KSymbol | undefined;
    for (const s of list) {
      this.calcVisibility(s);
      if (this.vis[s.id] === NO) continue;
      if (this.hasUser(s) && this.userTri[s.id] === YES) {
        res = s;
        break;
      }
    }
    if (!res) {
      res = this.choiceDefault(choice);
      if (res && this.hasUser(res) && this.userTri[res.id] === NO) res = undefined;
    }
    if (!res) res = choice.members!.find((s) => this.vis[s.id] !== NO && !this.hasUser(s));
    if (!res) res = [...list].reverse().find((s) => this.vis[s.id] !== NO);
    for (const s of choice.members!) {
      if (this.vis[s.id] === NO) continue;
      this.tri[s.id] = s === res ? YES : NO;
      this.flags[s.id]! |= VALID | WRITE;
    }
    this.generation++;
    return res;
  }

  /** sym_choice_default(): a visible `default`, else the first visible member. */
  choiceDefault(choice: MenuNode): KSymbol | undefined {
    for (const p of choice.sym!.props) {
      if (p.kind !== 'default' || this.exprValue(p.cond) === NO) continue;
      const target = p.expr?.t === 'sym' ? p.expr.s : undefined;
      if (target && this.vis[target.id] !== NO) return target;
    }
    return choice.members!.find((s) => this.vis[s.id] !== NO);
  }

  /** 6.1 sym_calc_choice(): the user's pick if visible, else the default. */
  private calcChoiceLegacy(cs: KSymbol): KSymbol | undefined {
    const choice = cs.menus[0]!;
    let all = this.flags[cs.id]!;
    for (const s of choice.members!) {
      this.calcVisibility(s);
      if (this.vis[s.id] !== NO) all &= this.flags[s.id]!;
    }
    this.flags[cs.id]! &= all | ~DEF_USER;
    const pick = this.userPick[cs.id];
    if (pick && this.vis[pick.id] !== NO) return pick;
    const def = this.choiceDefault(choice);
    if (!def) this.tri[cs.id] = NO;
    this.generation++;
    return def;
  }

  // ---- expressions ---------------------------------------------------------------

  /** exprValue(), reusing the previous answer for the same expression while no value has changed since. */
  private cond(e: Expr | undefined): Tristate {
    const last = this.lastCond;
    if (e !== undefined && e === last.e && last.generation === this.generation) return last.v;
    const v = this.exprValue(e);
    last.e = e;
    last.v = v;
    last.generation = this.generation;
    return v;
  }

  exprValue(e: Expr | undefined): Tristate {
    if (!e) return YES;
    switch (e.t) {
      case 'sym':
        this.calc(e.s);
        return this.tri[e.s.id] as Tristate;
      case 'and':
        return and3(this.exprValue(e.a), this.exprValue(e.b));
      case 'or':
        return or3(this.exprValue(e.a), this.exprValue(e.b));
      case 'not':
        return not3(this.exprValue(e.e));
      case 'cmp':
        return this.compare(e.op, e.l, e.r);
    }
  }

  private compare(op: string, l: KSymbol, r: KSymbol): Tristate {
    this.calc(l);
    this.calc(r);
    const s1 = this.stringValue(l);
    const s2 = this.stringValue(r);
    let res: number;
    const n1 = l.type !== 'string' || r.type !== 'string' ? parseNumber(s1, l.type) : undefined;
    const n2 = n1 ? parseNumber(s2, r.type) : undefined;
    if (!n1 || !n2) {
      res = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
    } else if (n1.unsigned || n2.unsigned) {
      const a = BigInt.asUintN(64, n1.value);
      const b = BigInt.asUintN(64, n2.value);
      res = a < b ? -1 : a > b ? 1 : 0;
    } else {
      res = n1.value < n2.value ? -1 : n1.value > n2.value ? 1 : 0;
    }
    switch (op) {
      case '=':
        return res === 0 ? YES : NO;
      case '!=':
        return res !== 0 ? YES : NO;
      case '<':
        return res < 0 ? YES : NO;
      case '<=':
        return res <= 0 ? YES : NO;
      case '>':
        return res > 0 ? YES : NO;
      default:
        return res >= 0 ? YES : NO;
    }
  }

  // ---- results -------------------------------------------------------------------

  /** sym_get_string_value(): y/m/n for bool/tristate, else the text. */
  stringValue(s: KSymbol): string {
    this.calc(s);
    if (s.type === 'bool' || s.type === 'tristate') return triName(this.tri[s.id] as Tristate);
    return this.val[s.id]!;
  }

  tristate(s: KSymbol): Tristate {
    this.calc(s);
    return this.tri[s.id] as Tristate;
  }

  /** Whether conf_write() puts the symbol in .config at all. */
  written(s: KSymbol): boolean {
    this.calc(s);
    return (this.flags[s.id]! & WRITE) !== 0 && !s.isChoice && s.type !== 'unknown' && isDefined(s);
  }

  /** Visibility, dependency, select and imply values as sym_calc_visibility() left them. */
  state(s: KSymbol): { visible: Tristate; dependsOn: Tristate; selected: Tristate; implied: Tristate } {
    this.calc(s);
    const id = s.id;
    return {
      visible: this.vis[id] as Tristate,
      dependsOn: this.dirTri[id] as Tristate,
      selected: this.revTri[id] as Tristate,
      implied: this.impTri[id] as Tristate,
    };
  }

  /** Whether the symbol's user value is allnoconfig's blanket n rather than a line of the input. */
  fromAllnoconfig(s: KSymbol): boolean {
    return (this.flags[s.id]! & (DEF_USER | FROM_ALLNO)) === (DEF_USER | FROM_ALLNO);
  }

  /** The value the input gave the symbol, as text (`y`, `42`, the unquoted string), if any. */
  userValue(s: KSymbol): string | undefined {
    if (!this.hasUser(s) || s.isChoice) return undefined;
    return isBoolish(s.type) ? triName(this.userTri[s.id] as Tristate) : this.userVal[s.id];
  }

  /** The value as a .config line writes it: `y`, `m`, `n`, `"quoted"`, `123`. */
  configValue(s: KSymbol): string {
    const v = this.stringValue(s);
    return s.type === 'string' ? `"${v.replace(/(["\\])/g, '\\$1')}"` : v;
  }

  /** One symbol's .config value, as values() has it (undefined: not written); no other symbol is written out. */
  valueOf(name: string): string | undefined {
    const s = this.tree.symbols.get(name);
    return s && this.written(s) ? this.configValue(s) : undefined;
  }

  /** Every written symbol with its .config value, in menu order (what conf_write() writes). */
  values(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.tree.entries) {
      const s = m.sym;
      if (!s || s.name === undefined || out.has(s.name) || !this.written(s)) continue;
      out.set(s.name, this.configValue(s));
    }
    return out;
  }

  /** A .config as conf_write() writes it (without the menu comment lines). */
  toDotConfig(): string {
    const lines = ['#', '# Automatically generated file; DO NOT EDIT.', `# ${this.tree.title}`, '#'];
    for (const [name, v] of this.values()) {
      lines.push(v === 'n' ? `# CONFIG_${name} is not set` : `CONFIG_${name}=${v}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** A .config's lines in file order (the order matters for choices), as conf reads them. */
export function assignmentsOf(config: {
  values: ReadonlyMap<string, string>;
  lines: ReadonlyMap<string, number>;
}): Assignment[] {
  const out: Assignment[] = [];
  let last = 0;
  let sorted = true;
  for (const [name, raw] of config.values) {
    const line = config.lines.get(name) ?? 0;
    sorted &&= line >= last;
    last = line;
    out.push([name, raw]);
  }
  // A file read once per name is already in line order; only a repeated name moves (stable sort).
  return sorted ? out : out.sort((a, b) => (config.lines.get(a[0]) ?? 0) - (config.lines.get(b[0]) ?? 0));
}

/** Evaluates a tree from a starting point, as `make <mode>` would. */
export function evaluate(tree: KconfigTree, start: Start, opts?: EvaluateOptions): Evaluation {
  return new Evaluation(tree, start, opts);
}

// ---- numbers as the C library reads them -----------------------------------------

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
const ULLONG_MAX = (1n << 64n) - 1n;

interface Parsed {
  value: bigint;
  /** Index after the last digit (0 when there were none). */
  end: number;
  overflow: boolean;
}

function parseDigits(str: string, base0: number): Parsed {
  let i = 0;
  while (i < str.length && /\s/.test(str[i]!)) i++;
  let neg = false;
  if (str[i] === '+' || str[i] === '-') {
    neg = str[i] === '-';
    i++;
  }
  let base = base0;
  const hexPrefix = str[i] === '0' && (str[i + 1] === 'x' || str[i + 1] === 'X') && /[0-9a-fA-F]/.test(str[i + 2] ?? '');
  if ((base === 0 || base === 16) && hexPrefix) {
    base = 16;
    i += 2;
  } else if (base === 0) {
    base = str[i] === '0' ? 8 : 10;
  }
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  for (; i < str.length; i++) {
    const d = parseInt(str[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * b + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  return { value: neg ? -v : v, end: i, overflow: v > ULLONG_MAX };
}

/** strtoll(): clamps on overflow. */
export function strtoll(str: string, base: number): bigint {
  const p = parseDigits(str, base);
  if (p.value > LLONG_MAX) return LLONG_MAX;
  if (p.value < LLONG_MIN) return LLONG_MIN;
  return p.value;
}

/** expr_parse_string(): a number when the whole text is one (per the symbol's type), else undefined. */
function parseNumber(str: string, type: KSymbol['type']): { value: bigint; unsigned: boolean } | undefined {
  if (type === 'bool' || type === 'tristate') {
    return { value: BigInt(str === 'n' ? 0 : str === 'm' ? 1 : str === 'y' ? 2 : -1), unsigned: false };
  }
  const unsigned = type === 'hex';
  const p = parseDigits(str, type === 'int' ? 10 : type === 'hex' ? 16 : 0);
  const overflow = unsigned ? p.overflow || -p.value > ULLONG_MAX : p.value > LLONG_MAX || p.value < LLONG_MIN;
  if (overflow || p.end === 0 || p.end !== str.length || !/[0-9a-fA-F]/.test(str[p.end - 1]!)) return undefined;
  return { value: unsigned ? BigInt.asUintN(64, p.value) : p.value, unsigned };
}

/** sym_string_valid(): is `str` a well-formed value for the symbol's type? */
export function stringValid(s: KSymbol, str: string): boolean {
  switch (s.type) {
    case 'string':
      return true;
    case 'int':
      return /^-?(0|[1-9][0-9]*)$/.test(str);
    case 'hex':
      return /^(0[xX])?[0-9a-fA-F]+$/.test(str);
    case 'bool':
    case 'tristate':
      return /^[ymnYMN]/.test(str);
    default:
      return false;
  }
}
