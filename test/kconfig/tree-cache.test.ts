import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDotConfig, readDotConfig } from '../../src/kconfig/dotconfig.ts';
import { assignmentsOf, evaluate } from '../../src/kconfig/evaluate.ts';
import { explainSymbol } from '../../src/kconfig/explain.ts';
import { type Expr, printExpr } from '../../src/kconfig/expr.ts';
import type { KSymbol, Property } from '../../src/kconfig/symbol.ts';
import { cachedTree, decodeTree, encodeTree } from '../../src/kconfig/tree-cache.ts';
import { type KconfigTree, loadKconfigFile, loadKconfigTree } from '../../src/kconfig/tree.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

// The parsed-tree cache must give back the tree the parser made: the same
// graph (compared structurally, cycles included) and the same values, reasons
// and .config from every evaluation; and reparse whenever a Kconfig file changed.

const CASES = join(import.meta.dirname, 'cases');
const roundTrip = (t: KconfigTree) => decodeTree(encodeTree(t));

/** Every field of every symbol, menu entry and property, as text: references by index, expressions printed. */
function dump(t: KconfigTree): string[] {
  const menus = [t.root, ...t.entries];
  const mi = new Map(menus.map((m, i) => [m, i]));
  const label = (s: KSymbol) => `${s.name ?? '<choice>'}#${s.id}`;
  const ex = (e: Expr | undefined) => (e ? printExpr(e, label) : '-');
  const prop = (p: Property | undefined) =>
    p ? `${p.kind} m${mi.get(p.menu)} ${p.file}:${p.line} ${JSON.stringify(p.text)} ${ex(p.expr)} ${p.range?.map(label)} if ${ex(p.cond)}` : '-';
  return [
    ...t.all.map((s, i) =>
      [i, s.id, s.name, s.isConst, s.type, s.isChoice, s.optional, s.transitional, s.probed, s.choice && mi.get(s.choice),
        ex(s.dirDep), ex(s.revDep), ex(s.implied), s.menus.map((m) => mi.get(m)), ...s.props.map(prop)].join(' | '),
    ),
    ...menus.map((m, i) =>
      [i, m.kind, m.sym && label(m.sym), m.parent && mi.get(m.parent), m.children.map((c) => mi.get(c)), `${m.file}:${m.line}`,
        prop(m.prompt), ex(m.dep), ex(m.visibility), JSON.stringify(m.help), m.members?.map(label)].join(' | '),
    ),
    [...t.symbols].map(([k, s]) => `${k}=${label(s)}`).join(' '),
    [t.yes, t.mod, t.no, t.modules].map(label).join(' '),
    t.choices.map((c) => mi.get(c)).join(' '),
    JSON.stringify({ ...t, root: 0, symbols: 0, all: 0, yes: 0, mod: 0, no: 0, modules: 0, choices: 0, entries: 0, usedEnv: [...t.usedEnv] }),
  ];
}

describe('encode/decode', () => {
  for (const name of readdirSync(CASES)) {
    for (const legacy of [false, true]) {
      it(`${name} (${legacy ? '6.1' : '6.11+'} rules): the same tree and the same olddefconfig`, () => {
        const tree = loadKconfigFile({ dir: join(CASES, name), legacy, shell: (cmd) => execSync(cmd, { encoding: 'utf8', shell: '/bin/sh' }) });
        const back = roundTrip(tree);
        expect(dump(back)).toEqual(dump(tree));
        const text = readFileSync(join(CASES, name, 'input.config'), 'utf8');
        const input = /^(# )?CONFIG_/m.test(text) ? assignmentsOf(parseDotConfig(text, 'input.config')) : [];
        expect(evaluate(back, { mode: 'olddefconfig', config: input }).toDotConfig()).toBe(
          evaluate(tree, { mode: 'olddefconfig', config: input }).toDotConfig(),
        );
      });
    }
  }

  it('keeps 6.18+ transitional symbols and the flags symbols carry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capsem-tree-cache-'));
    try {
      await writeFile(
        join(dir, 'Kconfig'),
        'config OLD\n\tbool\n\ttransitional\nconfig NEW\n\tbool "new"\n\tdefault OLD\n' +
          'choice\n\tprompt "pick"\nconfig A\n\tbool "a"\nconfig B\n\tbool "b"\nendchoice\n' +
          'config N\n\tint "n"\n\trange 1 10\n\tdefault 3\n\thelp\n\t  a number\n',
      );
      const tree = loadKconfigFile({ dir, legacy: false, transitional: true });
      const back = roundTrip(tree);
      expect(dump(back)).toEqual(dump(tree));
      expect(back.symbols.get('OLD')!.transitional).toBe(true);
      expect(back.symbols.get('A')!.choice).toBe(back.choices[0]);
      const ev = evaluate(back, { mode: 'olddefconfig', config: [['OLD', 'y'], ['N', '42']] });
      expect(ev.toDotConfig()).toBe(evaluate(tree, { mode: 'olddefconfig', config: [['OLD', 'y'], ['N', '42']] }).toDotConfig());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the decoded objects are made when first read, once: the same object every time, shared as the parser shared them, and a field written keeps what was written', () => {
    const tree = loadKconfigFile({ dir: join(CASES, 'select-overrides-depends'), legacy: false });
    const back = roundTrip(tree);
    const pairs = tree.all.map((s, i) => [s, back.all[i]!] as const);
    for (const [s, b] of pairs) {
      expect(b.props).toBe(b.props);
      expect(b.menus).toBe(b.menus);
      expect(b.dirDep).toBe(b.dirDep);
      // A condition that is its entry's dependency (menu_finalize shares it) stays that object.
      s.props.forEach((p, k) => expect(b.props[k]!.cond === b.props[k]!.menu.dep, `${s.name} prop ${k}`).toBe(p.cond === p.menu.dep));
    }
    expect(back.entries).toBe(back.entries);
    expect(back.entries[0]!.children).toBe(back.entries[0]!.children);
    // The name map answers from the entry's hash table, in the parser's order; a write makes it a plain Map.
    expect([...back.symbols.keys()]).toEqual([...tree.symbols.keys()]);
    expect(back.symbols.size).toBe(tree.symbols.size);
    for (const name of tree.symbols.keys()) expect(back.symbols.get(name)?.name).toBe(name);
    expect(back.symbols.get('NO_SUCH_SYMBOL')).toBeUndefined();
    expect(back.symbols.has('NO_SUCH_SYMBOL')).toBe(false);
    const first = back.symbols.keys().next().value!;
    back.symbols.set('ADDED', back.all[0]!);
    back.symbols.delete(first);
    expect([back.symbols.get('ADDED'), back.symbols.has(first), back.symbols.size]).toEqual([back.all[0], false, tree.symbols.size]);
    const withDep = back.all.find((s) => s.dirDep)!;
    withDep.dirDep = undefined;
    expect(withDep.dirDep).toBeUndefined();
    expect(roundTrip(back).symbols.get(withDep.name!)!.dirDep).toBeUndefined();
  });

  it('refuses a field it does not encode, rather than dropping it', () => {
    const tree = loadKconfigFile({ dir: join(CASES, 'imply'), legacy: false });
    (tree.all[3] as unknown as Record<string, unknown>).extra = 1;
    expect(() => encodeTree(tree)).toThrow(/symbol field 'extra' is not encoded/);
  });
});

describe('Debian kernel trees', () => {
  // Debian's amd64 config is a full kernel: nearly every symbol is computed.
  const DEBIAN = '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz';
  for (const series of ['6.12', '6.1'] as const) {
    it(`Linux ${series} x86_64: the decoded tree evaluates and explains exactly as the parsed one`, () => {
      const tree = loadKconfigTree({ srcDir: kernelSource(series)!, arch: 'x86_64' });
      const back = roundTrip(tree);
      expect(dump(back)).toEqual(dump(tree));
      const input = assignmentsOf(readDotConfig(DEBIAN, { lenient: true }));
      for (const start of [{ mode: 'olddefconfig', config: input }, { mode: 'allnoconfig' }] as const) {
        const a = evaluate(tree, start);
        const b = evaluate(back, start);
        expect(b.toDotConfig()).toBe(a.toDotConfig());
        // One symbol at a time (what the audit asks) is what the whole .config says.
        const written = a.values();
        for (const name of tree.symbols.keys()) expect(b.valueOf(name), name).toBe(written.get(name));
        for (const s of ['DEBUG_FS', 'MODULES', 'MITIGATION_RETPOLINE', 'RETPOLINE', 'SLAB_FREELIST_RANDOM', 'KALLSYMS', 'NR_CPUS']) {
          expect(explainSymbol(b, s)).toEqual(explainSymbol(a, s));
        }
      }
    });
  }
});

describe('cachedTree', () => {
  let root: string;
  let src: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capsem-tree-cache-root-'));
    src = await mkdtemp(join(tmpdir(), 'capsem-tree-cache-src-'));
    await writeFile(join(src, 'Kconfig'), 'source "sub/Kconfig"\n');
    await writeFile(join(src, 'Makefile'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(src, 'sub')));
    await writeFile(join(src, 'sub/Kconfig'), 'config A\n\tbool "a"\n\tdefault y\n');
  });
  afterAll(() => Promise.all([rm(root, { recursive: true, force: true }), rm(src, { recursive: true, force: true })]));

  let parses = 0;
  const load = () =>
    cachedTree(root, ['test', src], () => {
      parses++;
      return { ...loadKconfigFile({ dir: src, legacy: false }), srcDir: src };
    });

  it('parses once, then reads the entry', () => {
    const first = load();
    const second = load();
    expect(parses).toBe(1);
    expect(dump(second)).toEqual(dump(first));
  });

  it('reparses once a Kconfig file it read has changed', async () => {
    await writeFile(join(src, 'sub/Kconfig'), 'config A\n\tbool "a"\n\tdefault n\n');
    await utimes(join(src, 'sub/Kconfig'), new Date(), new Date(Date.now() + 5000));
    const tree = load();
    expect(parses).toBe(2);
    expect(evaluate(tree, { mode: 'olddefconfig', config: [] }).values().get('A')).toBe('n');
    load();
    expect(parses).toBe(2);
  });

  it('an entry of another engine for the same inputs is replaced, not kept beside', async () => {
    const dir = join(root, 'kconfig-tree');
    const [entry] = readdirSync(dir);
    const stale = entry!.replace(/-[0-9a-f]+\.bin$/, '-0000000000000000.bin');
    await writeFile(join(dir, stale), 'an older engine');
    await writeFile(join(src, 'sub/Kconfig'), 'config A\n\tbool "a"\n\tdefault y\n');
    await utimes(join(src, 'sub/Kconfig'), new Date(), new Date(Date.now() + 10000));
    load();
    expect(parses).toBe(3);
    expect(readdirSync(dir)).toEqual([entry]);
  });

  it('a damaged entry only costs a parse', async () => {
    const dir = join(root, 'kconfig-tree');
    for (const f of readdirSync(dir)) await writeFile(join(dir, f), 'garbage');
    expect(load().symbols.has('A')).toBe(true);
    expect(parses).toBe(4);
  });
});
