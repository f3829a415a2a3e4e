// Parser, lexer and preprocessor corner cases, on tiny trees written to a
// scratch directory. Values are checked through the evaluator where the
// grammar's meaning is the point.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Assignment, evaluate } from '../../src/kconfig/evaluate.ts';
import { printExpr } from '../../src/kconfig/expr.ts';
import { explainCasualty } from '../../src/kconfig/explain.ts';
import { type KconfigTree, loadKconfigFile } from '../../src/kconfig/tree.ts';
import { InputError } from '../../src/util/errors.ts';

function tree(
  files: Record<string, string> | string,
  opts: { legacy?: boolean; transitional?: boolean; env?: Record<string, string>; shell?: (cmd: string) => string } = {},
): KconfigTree {
  const all = typeof files === 'string' ? { Kconfig: files } : files;
  const dir = mkdtempSync(join(tmpdir(), 'capsem-kconfig-test-'));
  try {
    for (const [p, text] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return loadKconfigFile({
      dir,
      legacy: opts.legacy ?? false,
      transitional: opts.transitional ?? false,
      env: opts.env ?? {},
      shell: opts.shell ?? (() => ''),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The error a tree fails with: `file:line: message`, the directory stripped. */
function failure(files: Record<string, string> | string, opts: { legacy?: boolean; transitional?: boolean } = {}): string {
  try {
    tree(files, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message.replace(/^.*capsem-kconfig-test-[^/]+\//, '');
  }
  throw new Error('expected the tree to be rejected');
}

function values(t: KconfigTree, input: Assignment[] = []): Map<string, string> {
  return evaluate(t, { mode: 'olddefconfig', config: input }).values();
}

const sym = (t: KconfigTree, name: string) => t.symbols.get(name)!;

describe('help text', () => {
  it('is the indented block after `help`, ending at a less indented line', () => {
    const t = tree(`config A
\tbool "A"
\thelp
\t  First line.

\t    Indented more.
\t  Last line.
\tdefault y

config B
\tbool
`);
    expect(t.symbols.get('A')!.menus[0]!.help).toBe('First line.\n\n  Indented more.\nLast line.\n');
    // The `default y` after the help text still belongs to A.
    expect(values(t).get('A')).toBe('y');
  });

  it('ends at a blank line followed by a statement in column 0', () => {
    const t = tree('config A\n  bool "A"\n  help\n    text\n\nconfig B\n  def_bool y\n');
    expect(sym(t, 'A').menus[0]!.help).toBe('text\n');
    expect(values(t).get('B')).toBe('y');
  });

  it('counts a tab as advancing to the next multiple of 8', () => {
    const t = tree('config A\n\tbool "A"\n\thelp\n\t  one\n\t\t  two\n');
    expect(sym(t, 'A').menus[0]!.help).toBe('one\n        two\n');
  });
});

describe('lexing', () => {
  it('joins lines ending in a backslash and strips # comments outside strings', () => {
    const t = tree(`config A
\tbool "A # not a comment" # a comment
\tdepends on B || \\
\t\t   C
config B
\tdef_bool y
config C
\tbool
`);
    expect(sym(t, 'A').props[0]!.text).toBe('A # not a comment');
    expect(printExpr(sym(t, 'A').menus[0]!.dep)).toBe('B || C');
  });

  it('reads escapes and both quote styles in strings', () => {
    const t = tree(`config S
\tstring "s"
\tdefault 'it\\'s'
config Q
\tstring "q"
\tdefault "a\\"b\\\\c 'x'"
`);
    const v = values(t);
    expect(v.get('S')).toBe('"it\'s"');
    expect(v.get('Q')).toBe('"a\\"b\\\\c \'x\'"');
  });

  it('gives a statement the line of its first token', () => {
    const t = tree('\n\n# comment\nconfig A\n\tbool "A"\n\n\tdefault y\n');
    expect(sym(t, 'A').menus[0]!.line).toBe(4);
    expect(sym(t, 'A').props.find((p) => p.kind === 'default')!.line).toBe(7);
  });

  it('does not know `transitional` (added after 6.12): an unknown statement', () => {
    expect(failure('config A\n\tbool "A"\n\ttransitional\n')).toBe('Kconfig:3: unknown statement "transitional"');
  });
});

describe('expressions', () => {
  const t = tree(`config A
\tdef_bool y
config B
\tdef_bool n
config C
\tdef_bool y
config P1
\tdef_bool !A && B || C
config P2
\tdef_bool !(A && B)
config P3
\tdef_bool !A = y
config N
\tint
\tdefault 12
config H
\thex
\tdefault 0x1f
config LT
\tdef_bool N < 13
config HEX_GE
\tdef_bool H >= 0x20
config NUM_AS_STRING
\tdef_bool N = "12"
config HEX_VS_DECIMAL
\tdef_bool H = 31
config UNDEFINED_IS_ITS_NAME
\tdef_bool UNDEFINED_SYM = "UNDEFINED_SYM"
`);
  it('binds ! tighter than &&, && tighter than ||', () => {
    expect(printExpr(sym(t, 'P1').props[0]!.expr)).toBe('!A && B || C');
    expect(sym(t, 'P1').props[0]!.expr).toMatchObject({ t: 'or', a: { t: 'and', a: { t: 'not' } } });
    expect(printExpr(sym(t, 'P3').props[0]!.expr)).toBe('!A=y');
  });
  it('evaluates comparisons as numbers when both sides are numbers, by type', () => {
    const ev = evaluate(t, { mode: 'olddefconfig', config: [] });
    const names = ['P1', 'P2', 'P3', 'LT', 'HEX_GE', 'NUM_AS_STRING', 'HEX_VS_DECIMAL', 'UNDEFINED_IS_ITS_NAME'];
    expect(Object.fromEntries(names.map((k) => [k, ev.stringValue(sym(t, k))]))).toEqual({
      P1: 'y',
      P2: 'y',
      P3: 'n',
      LT: 'y',
      HEX_GE: 'n',
      NUM_AS_STRING: 'y',
      HEX_VS_DECIMAL: 'y',
      UNDEFINED_IS_ITS_NAME: 'y',
    });
  });
});

describe('the preprocessor', () => {
  it('expands simple variables at definition, recursive ones at use, += appends', () => {
    const t = tree(`A = $(B)
B := one
B += two
C := $(A)
config S
\tstring
\tdefault "$(C)|$(A)"
`);
    expect(values(t).get('S')).toBe('"one two|one two"');
  });

  it('calls user functions with $(1)..., built-ins, and falls back to the environment', () => {
    const info: string[] = [];
    const t = tree(
      `pair = $(1)+$(2)
$(info,hello)
config S
\tstring
\tdefault "$(pair,a,b) $(ARCH) $(filename):$(lineno) $(shell,cmd)"
`,
      { env: { ARCH: 'arm64' }, shell: (cmd) => `${cmd}-output\n\n` },
    );
    info.push(...t.info);
    expect(values(t).get('S')).toBe('"a+b arm64 Kconfig:5 cmd-output"');
    expect(info).toEqual(['hello']);
    expect(t.usedEnv.get('ARCH')).toBe('arm64');
  });

  it('marks symbols whose definition consults the toolchain as compiler probes', () => {
    const t = tree(
      `cc-name := $(shell,echo GCC)
config CC_IS_GCC
\tdef_bool $(shell,test)
config USES_NAME
\tstring
\tdefault "$(cc-name)"
config PLAIN
\tstring
\tdefault "$(SRCARCH)"
config FROM_CC
\tstring
\tdefault "$(CC)"
`,
      { env: { SRCARCH: 'x86', CC: 'gcc' }, shell: () => 'y' },
    );
    expect(['CC_IS_GCC', 'USES_NAME', 'PLAIN', 'FROM_CC'].map((n) => [n, sym(t, n).probed === true])).toEqual([
      ['CC_IS_GCC', true],
      ['USES_NAME', true],
      ['PLAIN', false],
      ['FROM_CC', true],
    ]);
  });

  it('expands a word with $ and drops it when the expansion is empty', () => {
    const t = tree(`yes := y
EMPTY :=
config A
\tdef_bool $(yes) $(EMPTY)
`);
    expect(values(t).get('A')).toBe('y');
  });

  it('sources files named by macros, relative to the tree', () => {
    const t = tree(
      { Kconfig: 'source "arch/$(SRCARCH)/Kconfig"\n', 'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n' },
      { env: { SRCARCH: 'x86' } },
    );
    expect(values(t).get('X86')).toBe('y');
    expect(t.files).toEqual(['Kconfig', 'arch/x86/Kconfig']);
    expect(sym(t, 'X86').menus[0]!.file).toBe('arch/x86/Kconfig');
  });

  it('rejects what the kernel rejects, with file and line', () => {
    expect(failure('$(error-if,y,stop here)\n')).toBe('Kconfig:1: stop here');
    expect(failure('config A\n\tbool "$(oops"\n')).toMatch(/^Kconfig:2: unterminated reference to 'oops"': missing '\)'/);
    expect(failure('X = $(X)\nconfig A\n\tstring\n\tdefault "$(X)"\n')).toBe("Kconfig:4: Recursive variable 'X' references itself (eventually)");
    expect(failure('$(info,a,b)\n')).toBe("Kconfig:1: too many function arguments passed to 'info'");
    expect(failure('source "missing/Kconfig"\n')).toBe('Kconfig:1: can\'t open file "missing/Kconfig"');
    expect(failure({ Kconfig: 'source "a"\n', a: 'source "a"\n' })).toMatch(/^a:1: recursive inclusion of a/);
  });
});

describe('statements', () => {
  it('applies a menu\'s `visible if` to the prompts inside, not to dependencies', () => {
    const t = tree(`config SHOW
\tbool "show"
menu "M"
\tvisible if SHOW
\tdepends on DEP
config A
\tbool "A"
endmenu
config DEP
\tdef_bool y
`);
    const a = sym(t, 'A');
    expect(printExpr(a.props[0]!.cond)).toBe('DEP && SHOW');
    expect(printExpr(a.dirDep)).toBe('DEP');
  });

  it('ORs the dependencies of a symbol defined twice and keeps both sites', () => {
    const t = tree(`if X
config A
\tbool "A"
endif
config A
\tdepends on Y
config X
\tdef_bool n
config Y
\tdef_bool y
`);
    expect(printExpr(sym(t, 'A').dirDep)).toBe('X || Y');
    expect(sym(t, 'A').menus.map((m) => m.line)).toEqual([2, 5]);
  });

  it('builds reverse dependencies from select/imply with their conditions and the selector\'s deps', () => {
    const t = tree(`config S
\tbool "S"
\tdepends on D
\tselect T if C
\timply I
config T
\tbool
config I
\tbool "I"
config C
\tbool "C"
config D
\tbool "D"
`);
    expect(printExpr(sym(t, 'T').revDep)).toBe('S && D && C');
    expect(printExpr(sym(t, 'I').implied)).toBe('S && D');
  });

  it('rewrites m in dependencies to m && MODULES', () => {
    const t = tree('config MODULES\n\tbool "m"\n\tmodules\nconfig A\n\ttristate "A"\n\tdepends on m\n');
    expect(printExpr(sym(t, 'A').dirDep)).toBe('m && MODULES');
  });

  it('warns, like conf, about a type redefinition and a menuconfig without prompt', () => {
    const t = tree('config A\n\tbool\nconfig A\n\tint\nmenuconfig B\n\tbool\n');
    expect(t.warnings).toEqual([
      "Kconfig:3: warning: ignoring type redefinition of 'A' from 'bool' to 'int'",
      'Kconfig:5: warning: menuconfig statement without prompt',
    ]);
  });

  it('rejects malformed blocks and statements', () => {
    expect(failure('menu "M"\nconfig A\n\tbool "A"\nendif\n')).toBe("Kconfig:4: unexpected 'if' within menu block");
    expect(failure('choice\n\tprompt "c"\nconfig A\n\tbool "A"\n')).toBe('Kconfig:1: missing end statement for this entry');
    expect(failure('frobnicate A\n')).toBe('Kconfig:1: unknown statement "frobnicate"');
    expect(failure('config A\n\tbool "A"\n\tdepends A\n')).toBe("Kconfig:3: syntax error: expected 'on', got 'A'");
    expect(failure({ Kconfig: 'menu "M"\nsource "b"\n', b: 'endmenu\n' })).toMatch(/^b:1: 'menu' in different file than 'menu'/);
    expect(failure('config A\n\tbool "A"\n\tmodules\nconfig B\n\tbool "B"\n\tmodules\n')).toBe(
      "Kconfig:6: symbol 'B' redefines option 'modules' already defined by symbol 'A'",
    );
  });
});

describe('choices, per kconfig generation', () => {
  const legacyChoice = `choice NAMED
\tprompt "c"
\toptional
config A
\tbool "A"
if COND
config B
\tbool "B"
endif
endchoice
config COND
\tdef_bool y
`;
  it('6.1 reads named and optional choices, members inside if blocks included', () => {
    const t = tree(legacyChoice, { legacy: true });
    const choice = t.choices[0]!;
    expect(choice.sym!.name).toBe('NAMED');
    expect(choice.sym!.optional).toBe(true);
    expect(choice.members!.map((s) => s.name)).toEqual(['A', 'B']);
    // optional and not set: the choice is n, its members hidden (conf writes neither).
    expect(values(t)).toEqual(new Map([['COND', 'y']]));
    expect(values(t, [['A', 'y']])).toEqual(new Map([['A', 'y'], ['B', 'n'], ['COND', 'y']]));
  });

  it('6.11+ rejects `optional` and non-bool members', () => {
    expect(failure('choice\n\tprompt "c"\n\toptional\nendchoice\n')).toBe('Kconfig:3: invalid statement in a choice block');
    expect(failure('choice\n\tprompt "c"\nconfig A\n\ttristate "A"\nendchoice\n')).toBe('Kconfig:3: choice member must be bool');
    expect(failure('choice\nconfig A\n\tbool "A"\nendchoice\n')).toBe('Kconfig:1: choice must have a prompt');
  });

  it('6.1 gives an untyped choice its first member\'s type', () => {
    const t = tree('choice\n\tprompt "c"\nconfig A\n\tbool "A"\nconfig B\n\tbool "B"\nendchoice\n', { legacy: true });
    expect(t.choices[0]!.sym!.type).toBe('bool');
    expect(values(t)).toEqual(new Map([['A', 'y'], ['B', 'n']]));
  });
});

describe('6.18+ syntax (Linux 7.3)', () => {
  const renamed = `config NEW
\tbool "New"
\tdefault OLD
config OLD
\tbool
\ttransitional
\thelp
\t  The old name.
config OTHER
\tbool "Other"
`;
  it('a transitional symbol is read from the input, seeds its successor\'s default and is never written', () => {
    const t = tree(renamed, { transitional: true });
    expect(sym(t, 'OLD').transitional).toBe(true);
    expect(values(t, [['OLD', 'y']])).toEqual(new Map([['NEW', 'y'], ['OTHER', 'n']]));
    expect(values(t)).toEqual(new Map([['NEW', 'n'], ['OTHER', 'n']]));
    // allnoconfig sets NEW=n before its default is computed: an old name in the fragment is lost (as with 7.3's conf).
    const ev = evaluate(t, { mode: 'allnoconfig', fragment: [['OLD', 'y']] });
    expect(ev.values()).toEqual(new Map([['NEW', 'n'], ['OTHER', 'n']]));
  });

  it('the survival check names a requested old name as transitional, with its successor', () => {
    const t = tree(renamed, { transitional: true });
    const ev = evaluate(t, { mode: 'allnoconfig', fragment: [['OLD', 'y']] });
    expect(explainCasualty({ tree: t, finalConfig: ev, symbol: 'OLD', requested: 'y' })).toBe(
      'transitional: Linux 7.3 only reads it from an old .config to seed the default of NEW (Kconfig:3), and never writes it; ask for the new name',
    );
  });

  it('a transitional symbol carries a type and help only', () => {
    expect(failure('config OLD\n\tbool\n\ttransitional\n\tdefault y\n', { transitional: true })).toBe(
      'Kconfig:4: transitional symbols can only have help sections',
    );
    expect(failure('config OLD\n\tbool\n\ttransitional\n\tdepends on X\n', { transitional: true })).toBe(
      'Kconfig:1: transitional symbols can only have help sections',
    );
  });

  it('`depends on X if Y` is X || Y = n, rewritten as the kernel does (not a value test)', () => {
    const t = tree('config X\n\tbool "X"\nconfig Y\n\tbool "Y"\nconfig A\n\tbool "A"\n\tdepends on X if Y\n\tdefault y\n', {
      transitional: true,
    });
    expect(printExpr(sym(t, 'A').dirDep)).toBe('X || Y=n');
    expect(values(t, [['Y', 'y']]).get('A')).toBeUndefined();
    expect(values(t, [['Y', 'y'], ['X', 'y']]).get('A')).toBe('y');
    expect(values(t, [['Y', 'n']]).get('A')).toBe('y');
  });
});
