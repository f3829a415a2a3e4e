// A parsed and finalised Kconfig tree, cached on disk in a flat form: parsing a
// kernel's ~1600 Kconfig files costs ~0.5 s, decoding this ~30 ms. The graph
// (symbols, menu entries, properties, shared expressions) becomes columns of
// indices, decoded in one pass each: no recursion, so deep `||` chains and
// parent/child cycles are fine (v8.serialize of the graph itself overflows the
// stack). An entry is keyed by the engine's code, the source tree, arch and
// toolchain environment, and reused only while every Kconfig file read has the
// size and mtime it had: editing a file, the engine or the toolchain reparses.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CompareOp, Expr } from './expr.ts';
import type { KSymbol, MenuKind, MenuNode, Property, PropertyKind, SymbolType } from './symbol.ts';
import type { KconfigTree } from './tree.ts';

const FORMAT = 1;
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

/**
 * The lists of `p` as arrays of `of`'s elements (undefined where the list was).
 * Each is a slice of one array built by push: packed (faster to iterate than a
 * holey `new Array(n)`) and exactly its length (a pushed small array reserves 17).
 */
function unpackLists<T>(p: { at: Int32Array; to: Int32Array }, of: readonly T[]): (T[] | undefined)[] {
  const flat: T[] = [];
  for (let k = 0; k < p.to.length; k++) flat.push(of[p.to[k]!]!);
  const out: (T[] | undefined)[] = [];
  for (let i = 0; i + 1 < p.at.length; i++) {
    const start = p.at[i]!;
    const next = p.at[i + 1]!;
    out.push(start < 0 ? undefined : flat.slice(start, next < 0 ? -1 - next : next));
  }
  return out;
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
    flags: Uint8Array.from(all, (s) => (s.isConst ? 1 : 0) | (s.isChoice ? 2 : 0)),
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
    help: menus.map((m) => m.help),
    members: packLists(menus.map((m) => m.members?.map((s) => s.id))),
  };
  for (const p of props) checkFields('prop', p);
  const property = {
    kind: Uint8Array.from(props, (p) => PROP_KINDS.indexOf(p.kind)),
    menu: Int32Array.from(props, (p) => menuIdx.get(p.menu)!),
    file: Int32Array.from(props, (p) => file(p.file)),
    line: Int32Array.from(props, (p) => p.line),
    text: props.map((p) => p.text),
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
    symbols: [...tree.symbols.values()].map((s) => s.id),
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

function decode(f: Flat): KconfigTree {
  const { sym, menu, prop, expr } = f;
  const n = sym.name.length;
  // Objects first, in the parser's field order (one shape each), links after.
  const all: KSymbol[] = [];
  for (let i = 0; i < n; i++) {
    all.push({
      id: i,
      name: sym.name[i],
      isConst: (sym.flags[i]! & 1) !== 0,
      type: SYM_TYPES[sym.type[i]!]!,
      props: [],
      menus: [],
      isChoice: (sym.flags[i]! & 2) !== 0,
      choice: undefined,
      optional: unopt(sym.optional[i]!),
      probed: unopt(sym.probed[i]!),
      dirDep: undefined,
      revDep: undefined,
      implied: undefined,
    });
    if (sym.transitional[i]) all[i]!.transitional = unopt(sym.transitional[i]!);
  }
  const exprs: Expr[] = [];
  for (let i = 0; i < expr.op.length; i++) {
    const op = expr.op[i]!;
    const a = expr.a[i]!;
    const b = expr.b[i]!;
    exprs.push(
      op === SYM ? { t: 'sym', s: all[a]! }
      : op === NOT ? { t: 'not', e: exprs[a]! }
      : op === AND || op === OR ? { t: op === AND ? 'and' : 'or', a: exprs[a]!, b: exprs[b]! }
      : { t: 'cmp', op: CMP_OPS[op - CMP]!, l: all[a]!, r: all[b]! },
    );
  }
  const ex = (i: number) => (i < 0 ? undefined : exprs[i]);
  const menus: MenuNode[] = [];
  for (let i = 0; i < menu.kind.length; i++) {
    const s = menu.sym[i]!;
    menus.push({
      kind: MENU_KINDS[menu.kind[i]!]!,
      sym: s < 0 ? undefined : all[s],
      parent: undefined,
      children: [],
      file: f.files[menu.file[i]!]!,
      line: menu.line[i]!,
      prompt: undefined,
      dep: ex(menu.dep[i]!),
      visibility: ex(menu.visibility[i]!),
      help: menu.help[i],
      members: undefined,
    });
  }
  const ranges = unpackLists(prop.range, all);
  const props: Property[] = [];
  for (let i = 0; i < prop.kind.length; i++) {
    const range = ranges[i];
    props.push({
      kind: PROP_KINDS[prop.kind[i]!]!,
      menu: menus[prop.menu[i]!]!,
      file: f.files[prop.file[i]!]!,
      line: prop.line[i]!,
      text: prop.text[i],
      expr: ex(prop.expr[i]!),
      range: range as [KSymbol, KSymbol] | undefined,
      cond: ex(prop.cond[i]!),
    });
  }
  const children = unpackLists(menu.children, menus);
  const members = unpackLists(menu.members, all);
  for (let i = 0; i < menus.length; i++) {
    const m = menus[i]!;
    const parent = menu.parent[i]!;
    if (parent >= 0) m.parent = menus[parent];
    m.children = children[i]!;
    const p = menu.prompt[i]!;
    if (p >= 0) m.prompt = props[p];
    m.members = members[i];
  }
  const symProps = unpackLists(sym.props, props);
  const symMenus = unpackLists(sym.menus, menus);
  for (let i = 0; i < n; i++) {
    const s = all[i]!;
    s.props = symProps[i]!;
    s.menus = symMenus[i]!;
    const c = sym.choice[i]!;
    if (c >= 0) s.choice = menus[c];
    s.dirDep = ex(sym.dirDep[i]!);
    s.revDep = ex(sym.revDep[i]!);
    s.implied = ex(sym.implied[i]!);
  }
  const [yes, mod, no, modules] = f.consts.map((i) => all[i]!) as [KSymbol, KSymbol, KSymbol, KSymbol];
  const m = f.meta;
  return {
    root: menus[0]!,
    symbols: new Map(f.symbols.map((i) => [all[i]!.name!, all[i]!])),
    all,
    yes,
    mod,
    no,
    modules,
    choices: f.choices.map((i) => menus[i]!),
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
    entries: menus.slice(1),
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
