// A parsed and finalised Kconfig tree, cached on disk in a flat form: parsing a
// kernel's ~1600 Kconfig files costs ~0.5 s. The graph (symbols, menu entries,
// properties, shared expressions) becomes columns of indices, without
// recursion, so deep `||` chains and parent/child cycles are fine (v8.serialize
// of the graph itself overflows the stack). Decoding makes the symbols at once
// (names are looked up in a stored hash table), every other object when it is
// first read: an audit's evaluation reaches ~10% of the graph. An entry is keyed by the
// engine's code, the source tree, arch and toolchain environment, and reused
// only while every Kconfig file read has the size and mtime it had: editing a
// file, the engine or the toolchain reparses.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CompareOp, Expr } from './expr.ts';
import type { KSymbol, MenuKind, MenuNode, Property, PropertyKind, SymbolType } from './symbol.ts';
import type { KconfigTree } from './tree.ts';

const FORMAT = 2;
const SYM_TYPES: readonly SymbolType[] = ['unknown', 'bool', 'tristate', 'int', 'hex', 'string'];
const MENU_KINDS: readonly MenuKind[] = ['root', 'config', 'menuconfig', 'choice', 'menu', 'if', 'comment'];
const PROP_KINDS: readonly PropertyKind[] = ['prompt', 'menu', 'comment', 'default', 'select', 'imply', 'range'];
const CMP_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
// Expression codes; a comparison is CMP + its operator's index.
const SYM = 0, NOT = 1, AND = 2, OR = 3, CMP = 4;

// The fields encoded below. Encoding refuses an object with any other field,
// so a new field in symbol.ts cannot be dropped from the cache silently.
const FIELDS = {
  symbol: ['id', 'name', 'isConst', 'type', 'props', 'menus', 'isChoice', 'choice', 'optional', 'transitional', 'probed', 'dirDep', 'revDep', 'implied'],
  menu: ['kind', 'sym', 'parent', 'children', 'file', 'line', 'prompt', 'dep', 'visibility', 'help', 'members'],
  prop: ['kind', 'menu', 'file', 'line', 'text', 'expr', 'range', 'cond'],
  tree: ['root', 'symbols', 'all', 'yes', 'mod', 'no', 'modules', 'choices', 'files', 'warnings', 'info', 'usedEnv', 'srcDir', 'arch', 'version', 'series', 'dialect', 'title', 'env', 'entries'],
  expr: ['t', 's', 'e', 'a', 'b', 'op', 'l', 'r'],
} as const;

/** undefined / false / true as 0 / 1 / 2. */
const opt = (b: boolean | undefined) => (b === undefined ? 0 : b ? 2 : 1);
const unopt = (n: number) => (n === 0 ? undefined : n === 2);

/** Lists of indices as one offsets array and one values array; a -1 offset pair is undefined. */
function packLists(lists: readonly (readonly number[] | undefined)[]): { at: Int32Array; to: Int32Array } {
  const at = new Int32Array(lists.length + 1);
  const values: number[] = [];
  lists.forEach((l, i) => {
    at[i] = l ? values.length : -1 - values.length;
    if (l) values.push(...l);
  });
  at[lists.length] = values.length;
  return { at, to: Int32Array.from(values) };
}

/** List `i` of `p` as an array of `of`'s elements, or undefined where the list was. */
function listAt<T>(p: { at: Int32Array; to: Int32Array }, i: number, of: (index: number) => T): T[] | undefined {
  const start = p.at[i]!;
  if (start < 0) return undefined;
  const next = p.at[i + 1]!;
  const end = next < 0 ? -1 - next : next;
  const out: T[] = [];
  for (let k = start; k < end; k++) out.push(of(p.to[k]!));
  return out;
}

/**
 * Strings as one string and offsets (-1: undefined), each cut out when read.
 * `utf8`: as bytes, decoded when read (the help texts: ~3 MB that an evaluation
 * never reads; as a string, ~6 MB to deserialize, since one is not Latin-1).
 */
function packStrings(list: readonly (string | undefined)[], utf8 = false): { at: Int32Array; text: string | Uint8Array } {
  const at = new Int32Array(list.length + 1);
  let size = 0;
  const parts: string[] = [];
  list.forEach((str, i) => {
    at[i] = str === undefined ? -1 : size;
    if (str === undefined) return;
    parts.push(str);
    size += utf8 ? Buffer.byteLength(str) : str.length;
  });
  at[list.length] = size;
  return { at, text: utf8 ? Buffer.from(parts.join('')) : parts.join('') };
}

function stringAt(p: { at: Int32Array; text: string | Uint8Array }, i: number): string | undefined {
  const start = p.at[i]!;
  if (start < 0) return undefined;
  let end = -1;
  for (let k = i + 1; end < 0; k++) end = p.at[k]!;
  const t = p.text;
  return typeof t === 'string' ? t.slice(start, end) : Buffer.from(t.buffer, t.byteOffset + start, end - start).toString();
}

function checkFields(what: keyof typeof FIELDS, o: object): void {
  for (const k of Object.keys(o)) {
    if (!(FIELDS[what] as readonly string[]).includes(k)) throw new Error(`kconfig tree cache: ${what} field '${k}' is not encoded`);
  }
}

type Flat = ReturnType<typeof encode>;

function encode(tree: KconfigTree) {
  checkFields('tree', tree);
  const menus = [tree.root, ...tree.entries];
  const menuIdx = new Map(menus.map((m, i) => [m, i]));
  const fileIdx = new Map<string, number>();
  const file = (f: string) => {
    let i = fileIdx.get(f);
    if (i === undefined) fileIdx.set(f, (i = fileIdx.size));
    return i;
  };
  const props: Property[] = [];
  const propIdx = new Map<Property, number>();
  const prop = (p: Property | undefined) => {
    if (!p) return -1;
    let i = propIdx.get(p);
    if (i === undefined) propIdx.set(p, (i = props.push(p) - 1));
    return i;
  };
  const exprOp: number[] = [];
  const exprA: number[] = [];
  const exprB: number[] = [];
  const exprIdx = new Map<Expr, number>();
  const leaves = new Map<KSymbol, number>();
  // Post-order, iteratively: an expression's operands get their index first.
  const expr = (root: Expr | undefined): number => {
    if (!root) return -1;
    const stack: Expr[] = [root];
    while (stack.length) {
      const e = stack[stack.length - 1]!;
      if (exprIdx.has(e)) {
        stack.pop();
        continue;
      }
      const kids = e.t === 'not' ? [e.e] : e.t === 'and' || e.t === 'or' ? [e.a, e.b] : [];
      const pending = kids.filter((k) => !exprIdx.has(k));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      checkFields('expr', e);
      // One leaf per symbol: the parser makes a new one per mention (~60k), nothing compares leaves by identity.
      const leaf = e.t === 'sym' ? leaves.get(e.s) : undefined;
      if (leaf !== undefined) {
        exprIdx.set(e, leaf);
        continue;
      }
      if (e.t === 'sym') leaves.set(e.s, exprOp.length);
      exprIdx.set(e, exprOp.length);
      switch (e.t) {
        case 'sym':
          exprOp.push(SYM), exprA.push(e.s.id), exprB.push(-1);
          break;
        case 'not':
          exprOp.push(NOT), exprA.push(exprIdx.get(e.e)!), exprB.push(-1);
          break;
        case 'and':
        case 'or':
          exprOp.push(e.t === 'and' ? AND : OR), exprA.push(exprIdx.get(e.a)!), exprB.push(exprIdx.get(e.b)!);
          break;
        case 'cmp':
          exprOp.push(CMP + CMP_OPS.indexOf(e.op)), exprA.push(e.l.id), exprB.push(e.r.id);
          break;
      }
    }
    return exprIdx.get(root)!;
  };

  const all = tree.all;
  all.forEach((s, i) => {
    if (s.id !== i) throw new Error(`kconfig tree cache: symbol ${s.name} has id ${s.id} at ${i}`);
    checkFields('symbol', s);
  });
  const sym = {
    name: all.map((s) => s.name),
    type: Uint8Array.from(all, (s) => SYM_TYPES.indexOf(s.type)),
    flags: Uint8Array.from(all, (s) => (s.isConst ? 1 : 0) | (s.isChoice ? 2 : 0) | (s.menus.length ? 4 : 0)),
    optional: Uint8Array.from(all, (s) => opt(s.optional)),
    transitional: Uint8Array.from(all, (s) => opt(s.transitional)),
    probed: Uint8Array.from(all, (s) => opt(s.probed)),
    props: packLists(all.map((s) => s.props.map(prop))),
    menus: packLists(all.map((s) => s.menus.map((m) => menuIdx.get(m)!))),
    choice: Int32Array.from(all, (s) => (s.choice ? menuIdx.get(s.choice)! : -1)),
    dirDep: Int32Array.from(all, (s) => expr(s.dirDep)),
    revDep: Int32Array.from(all, (s) => expr(s.revDep)),
    implied: Int32Array.from(all, (s) => expr(s.implied)),
  };
  for (const m of menus) checkFields('menu', m);
  const menu = {
    kind: Uint8Array.from(menus, (m) => MENU_KINDS.indexOf(m.kind)),
    sym: Int32Array.from(menus, (m) => m.sym?.id ?? -1),
    parent: Int32Array.from(menus, (m) => (m.parent ? menuIdx.get(m.parent)! : -1)),
    children: packLists(menus.map((m) => m.children.map((c) => menuIdx.get(c)!))),
    file: Int32Array.from(menus, (m) => file(m.file)),
    line: Int32Array.from(menus, (m) => m.line),
    prompt: Int32Array.from(menus, (m) => prop(m.prompt)),
    dep: Int32Array.from(menus, (m) => expr(m.dep)),
    visibility: Int32Array.from(menus, (m) => expr(m.visibility)),
    help: packStrings(menus.map((m) => m.help), true),
    members: packLists(menus.map((m) => m.members?.map((s) => s.id))),
  };
  for (const p of props) checkFields('prop', p);
  const property = {
    kind: Uint8Array.from(props, (p) => PROP_KINDS.indexOf(p.kind)),
    menu: Int32Array.from(props, (p) => menuIdx.get(p.menu)!),
    file: Int32Array.from(props, (p) => file(p.file)),
    line: Int32Array.from(props, (p) => p.line),
    text: packStrings(props.map((p) => p.text)),
    expr: Int32Array.from(props, (p) => expr(p.expr)),
    range: packLists(props.map((p) => p.range?.map((s) => s.id))),
    cond: Int32Array.from(props, (p) => expr(p.cond)),
  };
  return {
    format: FORMAT,
    files: [...fileIdx.keys()],
    sym,
    menu,
    prop: property,
    expr: { op: Uint8Array.from(exprOp), a: Int32Array.from(exprA), b: Int32Array.from(exprB) },
    symbols: nameTable([...tree.symbols.values()].map((s) => s.id), all),
    consts: [tree.yes.id, tree.mod.id, tree.no.id, tree.modules.id],
    choices: tree.choices.map((c) => menuIdx.get(c)!),
    meta: {
      files: tree.files,
      warnings: tree.warnings,
      info: tree.info,
      usedEnv: [...tree.usedEnv],
      srcDir: tree.srcDir,
      arch: tree.arch,
      version: tree.version,
      series: tree.series,
      dialect: tree.dialect,
      title: tree.title,
      env: tree.env,
    },
  };
}

/** FNV-1a over the UTF-16 code units. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The name map's symbol ids in its order, and an open-addressing hash table of them by name (-1: empty). */
function nameTable(ids: number[], all: readonly KSymbol[]): { order: Int32Array; slots: Int32Array } {
  let size = 1;
  while (size < ids.length * 2) size *= 2;
  const slots = new Int32Array(size).fill(-1);
  for (const id of ids) {
    let k = hashName(all[id]!.name!) & (size - 1);
    while (slots[k] !== -1) k = (k + 1) & (size - 1);
    slots[k] = id;
  }
  return { order: Int32Array.from(ids), slots };
}

/**
 * tree.symbols of a cached tree: looked up in the entry's hash table, not built
 * (a Map of ~18.6k names costs more than the evaluation an audit makes). A write
 * fills the Map itself, which answers from then on.
 */
class CachedSymbols extends Map<string, KSymbol> {
  #filled = false;
  readonly #table: { order: Int32Array; slots: Int32Array };
  readonly #at: (id: number) => KSymbol;
  constructor(table: { order: Int32Array; slots: Int32Array }, at: (id: number) => KSymbol) {
    super();
    this.#table = table;
    this.#at = at;
  }
  override get(name: string): KSymbol | undefined {
    if (this.#filled) return super.get(name);
    const { slots } = this.#table;
    const mask = slots.length - 1;
    for (let k = hashName(name) & mask; slots[k] !== -1; k = (k + 1) & mask) {
      const s = this.#at(slots[k]!);
      if (s.name === name) return s;
    }
    return undefined;
  }
  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  override get size(): number {
    return this.#filled ? super.size : this.#table.order.length;
  }
  override *entries(): MapIterator<[string, KSymbol]> {
    if (this.#filled) return yield* super.entries();
    for (const id of this.#table.order) {
      const s = this.#at(id);
      yield [s.name!, s];
    }
  }
  override [Symbol.iterator](): MapIterator<[string, KSymbol]> {
    return this.entries();
  }
  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  override *values(): MapIterator<KSymbol> {
    for (const [, v] of this.entries()) yield v;
  }
  override forEach(f: (value: KSymbol, key: string, map: Map<string, KSymbol>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) f.call(thisArg, v, k, this);
  }
  #fill(): void {
    if (this.#filled) return;
    const entries = [...this.entries()];
    this.#filled = true;
    for (const [k, v] of entries) super.set(k, v);
  }
  override set(name: string, s: KSymbol): this {
    this.#fill();
    return super.set(name, s);
  }
  override delete(name: string): boolean {
    this.#fill();
    return super.delete(name);
  }
  override clear(): void {
    this.#fill();
    super.clear();
  }
}

/** A cached object's index (a menu entry's; a symbol's is its id), kept out of its fields. */
const INDEX = Symbol('index');

/** `make(i)`, made once per index. */
function cached<T>(size: number, make: (i: number) => T): (i: number) => T {
  // Filled: a holey array of this size is slow to store into at random.
  const made = new Array<T | undefined>(size).fill(undefined);
  return (i) => (made[i] ??= make(i));
}

/**
 * Accessors on `proto` for each field, read from the object's index; a write
 * (nothing writes a finalised tree) gives the object its own field instead.
 */
function lazyFields(proto: object, key: 'id' | typeof INDEX, fields: Record<string, (i: number) => unknown>): void {
  for (const [name, read] of Object.entries(fields)) {
    Object.defineProperty(proto, name, {
      get(this: Record<typeof key, number>) {
        return read(this[key]);
      },
      set(v: unknown) {
        Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
}

/**
 * The tree, its objects made when first reached: a symbol is made with its scalar
 * fields (every one: the name map and the evaluation's arrays need them all), and
 * its properties, menu entries and expressions when read. An audit reaches ~1.8k of
 * ~18.6k symbols (the dependency cone of its rules' symbols), so most of the graph
 * is never built. The same index always gives the same object (shared expressions
 * stay shared); a field that is written keeps what was written.
 */
function decode(f: Flat): KconfigTree {
  const { sym, menu, prop, expr } = f;
  const n = sym.name.length;
  const exprs = new Array<Expr | undefined>(expr.op.length).fill(undefined);
  // Iteratively, operands first: a deep `||` chain must not recurse.
  const ex = (i: number): Expr | undefined => {
    if (i < 0) return undefined;
    const have = exprs[i];
    if (have) return have;
    const stack = [i];
    while (stack.length) {
      const j = stack[stack.length - 1]!;
      if (exprs[j]) {
        stack.pop();
        continue;
      }
      const op = expr.op[j]!;
      const a = expr.a[j]!;
      const b = expr.b[j]!;
      if (op === NOT || op === AND || op === OR) {
        const ea = exprs[a];
        const eb = op === NOT ? ea : exprs[b];
        if (!ea) stack.push(a);
        if (!eb && op !== NOT) stack.push(b);
        if (!ea || !eb) continue;
        exprs[j] = op === NOT ? { t: 'not', e: ea } : { t: op === AND ? 'and' : 'or', a: ea, b: eb };
      } else {
        exprs[j] = op === SYM ? { t: 'sym', s: all[a]! } : { t: 'cmp', op: CMP_OPS[op - CMP]!, l: all[a]!, r: all[b]! };
      }
      stack.pop();
    }
    return exprs[i];
  };
  const menuAt = cached(menu.kind.length, (i): MenuNode => new CachedMenu(i));
  const propAt = cached(prop.kind.length, (i): Property => ({
    kind: PROP_KINDS[prop.kind[i]!]!,
    menu: menuAt(prop.menu[i]!),
    file: f.files[prop.file[i]!]!,
    line: prop.line[i]!,
    text: stringAt(prop.text, i),
    expr: ex(prop.expr[i]!),
    range: listAt(prop.range, i, (s) => all[s]!) as [KSymbol, KSymbol] | undefined,
    cond: ex(prop.cond[i]!),
  }));
  const menuOf = (i: number): MenuNode | undefined => (i < 0 ? undefined : menuAt(i));

  // Fields `declare`d and assigned (plain stores): made ~18.6k times in code that runs once.
  class CachedSymbol implements KSymbol {
    declare readonly id: number;
    declare name: string | undefined;
    declare isConst: boolean;
    declare type: SymbolType;
    declare isChoice: boolean;
    declare optional: boolean | undefined;
    declare probed: boolean | undefined;
    declare transitional?: boolean;
    declare readonly defined: boolean;
    declare props: Property[];
    declare menus: MenuNode[];
    declare choice?: MenuNode;
    declare dirDep?: Expr;
    declare revDep?: Expr;
    declare implied?: Expr;
    constructor(id: number) {
      (this as { id: number }).id = id;
      this.name = sym.name[id];
      this.isConst = (sym.flags[id]! & 1) !== 0;
      this.type = SYM_TYPES[sym.type[id]!]!;
      this.isChoice = (sym.flags[id]! & 2) !== 0;
      this.optional = unopt(sym.optional[id]!);
      this.probed = unopt(sym.probed[id]!);
      if (sym.transitional[id]) this.transitional = unopt(sym.transitional[id]!);
    }
  }
  // Known from the flags: reading a .config asks it of every name in it (~11k), which need no menu entries made.
  Object.defineProperty(CachedSymbol.prototype, 'defined', {
    get(this: KSymbol) {
      return (sym.flags[this.id]! & 4) !== 0;
    },
  });
  lazyFields(CachedSymbol.prototype, 'id', {
    props: cached(n, (i) => listAt(sym.props, i, propAt)!),
    menus: cached(n, (i) => listAt(sym.menus, i, menuAt)!),
    choice: (i) => menuOf(sym.choice[i]!),
    dirDep: (i) => ex(sym.dirDep[i]!),
    revDep: (i) => ex(sym.revDep[i]!),
    implied: (i) => ex(sym.implied[i]!),
  });

  class CachedMenu implements MenuNode {
    declare kind: MenuKind;
    declare file: string;
    declare line: number;
    declare [INDEX]: number;
    declare sym?: KSymbol;
    declare parent?: MenuNode;
    declare children: MenuNode[];
    declare prompt?: Property;
    declare dep?: Expr;
    declare visibility?: Expr;
    declare help?: string;
    declare members?: KSymbol[];
    constructor(i: number) {
      this[INDEX] = i;
      this.kind = MENU_KINDS[menu.kind[i]!]!;
      this.file = f.files[menu.file[i]!]!;
      this.line = menu.line[i]!;
    }
  }
  lazyFields(CachedMenu.prototype, INDEX, {
    sym: (i) => (menu.sym[i]! < 0 ? undefined : all[menu.sym[i]!]),
    parent: (i) => menuOf(menu.parent[i]!),
    children: cached(menu.kind.length, (i) => listAt(menu.children, i, menuAt)!),
    prompt: (i) => (menu.prompt[i]! < 0 ? undefined : propAt(menu.prompt[i]!)),
    dep: (i) => ex(menu.dep[i]!),
    visibility: (i) => ex(menu.visibility[i]!),
    help: (i) => stringAt(menu.help, i),
    members: cached(menu.kind.length, (i) => listAt(menu.members, i, (s) => all[s]!)),
  });

  const all: KSymbol[] = [];
  for (let i = 0; i < n; i++) all.push(new CachedSymbol(i));
  const symbols = new CachedSymbols(f.symbols, (i) => all[i]!);
  const [yes, mod, no, modules] = f.consts.map((i) => all[i]!) as [KSymbol, KSymbol, KSymbol, KSymbol];
  const m = f.meta;
  let entries: MenuNode[] | undefined;
  return {
    root: menuAt(0),
    symbols,
    all,
    yes,
    mod,
    no,
    modules,
    choices: f.choices.map(menuAt),
    files: m.files,
    warnings: m.warnings,
    info: m.info,
    usedEnv: new Map(m.usedEnv),
    srcDir: m.srcDir,
    arch: m.arch,
    version: m.version,
    series: m.series,
    dialect: m.dialect,
    title: m.title,
    env: m.env,
    // Every menu entry: what a full evaluation walks, and an on-demand one never asks for.
    get entries() {
      if (!entries) {
        entries = [];
        for (let i = 1; i < menu.kind.length; i++) entries.push(menuAt(i));
      }
      return entries;
    },
    set entries(v) {
      entries = v;
    },
  };
}

/** The tree as bytes, and back: one identical graph (shared expressions stay shared). */
export function encodeTree(tree: KconfigTree): Buffer {
  return serialize(encode(tree));
}
export function decodeTree(bytes: Buffer): KconfigTree {
  const f = deserialize(bytes) as Flat;
  if (f?.format !== FORMAT) throw new Error('not a kconfig tree cache entry of this format');
  return decode(f);
}

/**
 * The engine's own code, by name, size and mtime: a changed lexer, parser or
 * finaliser must not reuse trees it did not make. Source runs: src/kconfig;
 * the bundle: dist/chunks (this chunk's siblings, the engine among them).
 */
function engineCode(): string[] {
  const dir = dirname(fileURLToPath(import.meta.url));
  return readdirSync(dir)
    .filter((name) => /\.(ts|js)$/.test(name))
    .sort()
    .map((name) => {
      const st = statSync(join(dir, name));
      return `${name}:${st.size}:${st.mtimeMs}`;
    });
}

/**
 * size:mtime of every Kconfig file the tree read; undefined once one is gone.
 * A tree the build cache unpacked (sources/<tarball sha256>/) is content-addressed
 * and never edited in place: its name is its stamp.
 */
function stamps(cacheRoot: string, srcDir: string, files: readonly string[]): string | undefined {
  if (isInside(srcDir, join(cacheRoot, 'sources'))) return 'content-addressed';
  const out: string[] = [];
  for (const f of files) {
    try {
      const st = statSync(isAbsolute(f) ? f : join(srcDir, f));
      out.push(`${st.size}:${st.mtimeMs}`);
    } catch {
      return undefined;
    }
  }
  return out.join(',');
}

function isInside(path: string, dir: string): boolean {
  const r = relative(dir, resolve(path));
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}

/**
 * The tree for these inputs from `cacheRoot`'s kconfig-tree/, or `parse()`'d and
 * stored there. A missing, damaged or stale entry only costs the parse.
 */
export function cachedTree(cacheRoot: string, id: readonly unknown[], parse: () => KconfigTree): KconfigTree {
  const dir = join(cacheRoot, 'kconfig-tree');
  const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
  // <inputs>-<engine>.bin: a new engine replaces its predecessors' entries for the same inputs.
  const inputs = hash(id);
  const file = join(dir, `${inputs}-${hash([FORMAT, engineCode()])}.bin`);
  try {
    const bytes = readFileSync(file);
    const head = bytes.readUInt32LE(0);
    const { srcDir, files, stamp } = JSON.parse(bytes.subarray(4, 4 + head).toString()) as { srcDir: string; files: string[]; stamp: string };
    if (stamps(cacheRoot, srcDir, files) === stamp) return decodeTree(bytes.subarray(4 + head));
  } catch {
    // no entry yet, or a damaged one: parse
  }
  const tree = parse();
  const stamp = stamps(cacheRoot, tree.srcDir, tree.files);
  if (stamp === undefined) return tree;
  const head = Buffer.from(JSON.stringify({ srcDir: tree.srcDir, files: tree.files, stamp }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, Buffer.concat([len, head, encodeTree(tree)]));
    renameSync(tmp, file);
    for (const old of readdirSync(dir)) {
      if (old.startsWith(`${inputs}-`) && old.endsWith('.bin') && join(dir, old) !== file) rmSync(join(dir, old), { force: true });
    }
  } catch {
    // a read-only or full cache: the next run parses again
  }
  return tree;
}
