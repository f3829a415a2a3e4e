// The Kconfig parser (scripts/kconfig/parser.y plus the parse-time half of
// menu.c): statements become a menu tree; config entries become symbols with
// properties. Dependencies are propagated later, by tree.ts (menu_finalize).

import { andExpr, type CompareOp, equalsNo, type Expr, orExpr, symExpr } from './expr.ts';
import { Lexer, KEYWORDS, type Token, type TokenKind } from './lexer.ts';
import { type MacroHost, Preprocessor, type VariableFlavor } from './macro.ts';
import type { KSymbol, MenuKind, MenuNode, Property, PropertyKind, SymbolType } from './symbol.ts';

/**
 * Which generation of the kconfig tool the tree carries. Linux 6.11 rewrote
 * choices (always bool, no `optional`, no named choices, members ranked by
 * user input) and defaults int/hex symbols to 0; 6.1 has the older rules.
 * 6.18 added transitional symbols (renames that still read the old name).
 */
export interface Dialect {
  legacy: boolean;
  /** 6.18+: `transitional` symbols and `depends on X if Y`. */
  transitional: boolean;
}

/** A Kconfig syntax or semantic error: the kernel's conf exits on these too. */
export class KconfigSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ParseOptions {
  dialect: Dialect;
  /** Text of a Kconfig file, by the path written in `source` (relative to the source tree). */
  readFile(path: string): string | undefined;
  /** Environment and shell for the preprocessor. */
  env(name: string): string | undefined;
  shell(cmd: string): string;
}

export interface ParsedKconfig {
  root: MenuNode;
  /** Non-constant symbols by name, including numbers used as values and undefined names. */
  symbols: Map<string, KSymbol>;
  /** Every symbol (constants and choices too), indexed by id. */
  all: KSymbol[];
  yes: KSymbol;
  mod: KSymbol;
  no: KSymbol;
  /** The symbol with the `modules` option (MODULES), or `n`. */
  modules: KSymbol;
  /** Choice entries in file order. */
  choices: MenuNode[];
  /** Every file read, in order. */
  files: string[];
  warnings: string[];
  /** Output of $(info,...). */
  info: string[];
  /** Environment variables the preprocessor read, with their values. */
  usedEnv: Map<string, string>;
}

const TYPE_KEYWORDS: Partial<Record<TokenKind, SymbolType>> = {
  bool: 'bool',
  tristate: 'tristate',
  int: 'int',
  hex: 'hex',
  string: 'string',
};
const COMPARE: Partial<Record<TokenKind, CompareOp>> = {
  '=': '=',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

class Parser {
  private readonly lexer: Lexer;
  private readonly pp: Preprocessor;
  private lookahead: Token | undefined;
  private readonly out: ParsedKconfig;
  private readonly consts = new Map<string, KSymbol>();
  private currentMenu: MenuNode;
  private currentEntry: MenuNode;
  private currentChoice: MenuNode | undefined;
  private modulesSym: KSymbol | undefined;

  constructor(
    private readonly opts: ParseOptions,
    rootFile: string,
    rootText: string,
  ) {
    const mk = (name: string | undefined, isConst: boolean): KSymbol => this.newSymbol(name, isConst);
    const all: KSymbol[] = [];
    this.out = {
      root: newMenu('root', undefined, undefined, rootFile, 0),
      symbols: new Map(),
      all,
      yes: undefined!,
      mod: undefined!,
      no: undefined!,
      modules: undefined!,
      choices: [],
      files: [rootFile],
      warnings: [],
      info: [],
      usedEnv: new Map(),
    };
    for (const [k, name] of [
      ['yes', 'y'],
      ['mod', 'm'],
      ['no', 'n'],
    ] as const) {
      const s = mk(name, true);
      s.type = 'tristate';
      this.out[k] = s;
    }
    this.currentMenu = this.currentEntry = this.out.root;
    const host: MacroHost = {
      env: opts.env,
      shell: opts.shell,
      info: (m) => this.out.info.push(m),
      warning: (m) => this.warn(this.lexer.file, this.lexer.line, m),
      where: () => ({ file: this.lexer.file, line: this.lexer.line }),
    };
    this.pp = new Preprocessor(host);
    const keywords = new Set<string>(
      KEYWORDS.filter((k) => (k !== 'optional' || opts.dialect.legacy) && (k !== 'transitional' || opts.dialect.transitional)),
    );
    this.lexer = new Lexer(rootFile, rootText, this.pp, {
      keywords,
      warn: (file, line, message) => this.warn(file, line, message),
    });
  }

  private newSymbol(name: string | undefined, isConst: boolean): KSymbol {
    // Every field present from the start: one object shape keeps property access fast.
    const s: KSymbol = {
      id: this.out.all.length,
      name,
      isConst,
      type: 'unknown',
      props: [],
      menus: [],
      isChoice: false,
      choice: undefined,
      optional: undefined,
      probed: undefined,
      dirDep: undefined,
      revDep: undefined,
      implied: undefined,
    };
    this.out.all.push(s);
    return s;
  }

  private warn(file: string, line: number, message: string): void {
    this.out.warnings.push(`${file}:${line}: warning: ${message}`);
  }

  private fail(message: string, line = this.lexer.statementLine, file = this.lexer.file): never {
    throw new KconfigSyntaxError(file, line, message);
  }

  // ---- tokens ------------------------------------------------------------------

  private peek(): Token {
    return (this.lookahead ??= this.lexer.next());
  }
  private take(): Token {
    const t = this.peek();
    this.lookahead = undefined;
    return t;
  }
  private accept(kind: TokenKind): Token | undefined {
    return this.peek().kind === kind ? this.take() : undefined;
  }
  private expect(kind: TokenKind, what?: string): Token {
    const t = this.peek();
    if (t.kind !== kind) {
      const got = t.kind === 'EOL' ? 'end of line' : t.kind === 'EOF' ? 'end of file' : `'${t.text || t.kind}'`;
      this.fail(`syntax error: expected ${what ?? describe(kind)}, got ${got}`, t.line);
    }
    return this.take();
  }

  // ---- symbols -----------------------------------------------------------------

  private lookup(name: string): KSymbol {
    if (name === 'y') return this.out.yes;
    if (name === 'm') return this.out.mod;
    if (name === 'n') return this.out.no;
    let s = this.out.symbols.get(name);
    if (!s) {
      s = this.newSymbol(name, false);
      this.out.symbols.set(name, s);
    }
    return s;
  }

  private lookupConst(name: string): KSymbol {
    if (name === 'y' || name === 'm' || name === 'n') return this.lookup(name);
    let s = this.consts.get(name);
    if (!s) {
      s = this.newSymbol(name, true);
      this.consts.set(name, s);
    }
    return s;
  }

  // ---- menu building (menu.c) --------------------------------------------------

  private addEntry(kind: MenuKind, sym: KSymbol | undefined): MenuNode {
    const node = newMenu(kind, sym, this.currentMenu, this.lexer.file, this.lexer.statementLine);
    this.currentMenu.children.push(node);
    this.currentEntry = node;
    sym?.menus.push(node);
    return node;
  }

  private enterMenu(): void {
    this.currentMenu = this.currentEntry;
  }

  private leaveMenu(end: Token, expected: 'menu' | 'choice' | 'if'): void {
    const got = end.kind === 'endmenu' ? 'menu' : end.kind === 'endchoice' ? 'choice' : 'if';
    if (got !== expected) this.fail(`unexpected '${got}' within ${expected} block`);
    if (this.currentMenu.file !== this.lexer.file) {
      this.fail(
        `'${got}' in different file than '${expected}' (opened at ${this.currentMenu.file}:${this.currentMenu.line})`,
      );
    }
    this.currentMenu = this.currentMenu.parent!;
  }

  private setType(type: SymbolType): void {
    const sym = this.currentEntry.sym!;
    if (sym.type === type) return;
    if (sym.type === 'unknown') {
      sym.type = type;
      return;
    }
    this.warn(
      this.currentEntry.file,
      this.currentEntry.line,
      `ignoring type redefinition of '${sym.name ?? '<choice>'}' from '${sym.type}' to '${type}'`,
    );
  }

  private addProp(kind: PropertyKind, fields: Partial<Property>): Property {
    const prop: Property = {
      kind,
      menu: this.currentEntry,
      file: this.lexer.file,
      line: this.lexer.statementLine,
      text: fields.text,
      expr: fields.expr,
      range: fields.range,
      cond: fields.cond,
    };
    this.currentEntry.sym?.props.push(prop);
    return prop;
  }

  private addPrompt(kind: 'prompt' | 'menu' | 'comment', rawText: string, cond: Expr | undefined): void {
    let text = rawText;
    if (/^\s/.test(text)) {
      this.warn(this.lexer.file, this.lexer.statementLine, 'leading whitespace ignored');
      text = text.replace(/^\s+/, '');
    }
    if (this.currentEntry.prompt) this.warn(this.lexer.file, this.lexer.statementLine, 'prompt redefined');
    let visible = cond;
    // A menu's `visible if` limits every prompt below it.
    if (kind === 'prompt') {
      for (let m = this.currentEntry.parent; m; m = m.parent) {
        if (m.visibility) visible = andExpr(visible, m.visibility);
      }
    }
    this.currentEntry.prompt = this.addProp(kind, { text, cond: visible });
  }

  // ---- grammar -----------------------------------------------------------------

  parse(): ParsedKconfig {
    if (this.peek().kind === 'mainmenu') {
      this.take();
      const title = this.expect('WORD_QUOTE', 'a quoted title');
      this.expect('EOL');
      this.addPrompt('menu', title.text, undefined);
    }
    this.statements(false);
    const t = this.peek();
    if (t.kind !== 'EOF') this.fail(`unexpected '${t.kind}' outside any block`, t.line);
    this.checkTransitional();
    this.out.modules = this.modulesSym ?? this.out.no;
    this.out.usedEnv = this.pp.usedEnv;
    if (!this.out.root.prompt) {
      this.currentEntry = this.out.root;
      this.addPrompt('menu', 'Main menu', undefined);
    }
    return this.out;
  }

  /** stmt_list / stmt_list_in_choice: stops at an end keyword or end of file. */
  private statements(inChoice: boolean): void {
    for (;;) {
      const t = this.peek();
      switch (t.kind) {
        case 'EOF':
        case 'endmenu':
        case 'endchoice':
        case 'endif':
          return;
        case 'config':
          this.config('config');
          continue;
        case 'comment':
          this.comment();
          continue;
        case 'if':
          this.ifBlock(inChoice);
          continue;
      }
      if (inChoice) this.fail('invalid statement in a choice block', t.line);
      switch (t.kind) {
        case 'menuconfig':
          this.config('menuconfig');
          continue;
        case 'choice':
          this.choice();
          continue;
        case 'menu':
          this.menu();
          continue;
        case 'source':
          this.source();
          continue;
        case 'WORD':
          this.assignmentOrUnknown();
          continue;
        default:
          this.fail('invalid statement', t.line);
      }
    }
  }

  private assignmentOrUnknown(): void {
    const name = this.take();
    const op = this.peek();
    const flavor: VariableFlavor | undefined =
      op.kind === '=' ? 'recursive' : op.kind === ':=' ? 'simple' : op.kind === '+=' ? 'append' : undefined;
    if (!flavor) this.fail(`unknown statement "${name.text}"`, name.line);
    this.take();
    const value = this.accept('ASSIGN_VAL')?.text ?? '';
    this.expect('EOL');
    this.pp.addVariable(name.text, value, flavor);
  }

  private config(kind: 'config' | 'menuconfig'): void {
    this.take();
    const name = this.expect('WORD', 'a symbol name');
    this.expect('EOL');
    const sym = this.lookup(name.text);
    const entry = this.addEntry(kind, sym);
    const reads = this.pp.toolchainReads;
    this.configOptions();
    if (this.pp.toolchainReads !== reads) sym.probed = true;
    if (kind === 'menuconfig') {
      if (entry.prompt) entry.prompt.kind = 'menu';
      else this.warn(entry.file, entry.line, 'menuconfig statement without prompt');
    }
    const choice = this.currentChoice;
    if (choice && !this.opts.dialect.legacy) {
      if (!entry.prompt) this.fail('choice member must have a prompt', entry.line, entry.file);
      if (sym.type !== 'bool') this.fail('choice member must be bool', entry.line, entry.file);
      if (!choice.members!.includes(sym)) choice.members!.push(sym);
    }
  }

  private configOptions(): void {
    for (;;) {
      const t = this.peek();
      const type = TYPE_KEYWORDS[t.kind];
      if (type) {
        this.take();
        if (this.peek().kind === 'WORD_QUOTE') {
          const text = this.take().text;
          this.addPrompt('prompt', text, this.ifExpr());
        }
        this.expect('EOL');
        this.setType(type);
        continue;
      }
      switch (t.kind) {
        case 'prompt': {
          this.take();
          const text = this.expect('WORD_QUOTE', 'a quoted prompt').text;
          this.addPrompt('prompt', text, this.ifExpr());
          this.expect('EOL');
          continue;
        }
        case 'default':
        case 'def_bool':
        case 'def_tristate': {
          this.take();
          const expr = this.expr();
          this.addProp('default', { expr, cond: this.ifExpr() });
          this.expect('EOL');
          if (t.kind !== 'default') this.setType(t.kind === 'def_bool' ? 'bool' : 'tristate');
          continue;
        }
        case 'select':
        case 'imply': {
          this.take();
          const target = this.lookup(this.expect('WORD', 'a symbol name').text);
          this.addProp(t.kind, { expr: symExpr(target), cond: this.ifExpr() });
          this.expect('EOL');
          continue;
        }
        case 'range': {
          this.take();
          const lo = this.symbol();
          const hi = this.symbol();
          this.addProp('range', { range: [lo, hi], cond: this.ifExpr() });
          this.expect('EOL');
          continue;
        }
        case 'modules': {
          this.take();
          this.expect('EOL');
          const sym = this.currentEntry.sym!;
          if (this.modulesSym) {
            this.fail(
              `symbol '${sym.name}' redefines option 'modules' already defined by symbol '${this.modulesSym.name}'`,
            );
          }
          this.modulesSym = sym;
          continue;
        }
        case 'transitional':
          this.take();
          this.expect('EOL');
          this.currentEntry.sym!.transitional = true;
          continue;
        case 'depends':
          this.depends();
          continue;
        case 'help':
          this.help();
          continue;
        default:
          return;
      }
    }
  }

  /** transitional_check_sanity(): an old name carries only a type and help. */
  private checkTransitional(): void {
    for (const sym of this.out.all) {
      if (!sym.transitional) continue;
      const where = sym.props[0] ?? sym.menus.find((m) => m.dep);
      if (where) this.fail('transitional symbols can only have help sections', where.line, where.file);
    }
  }

  private depends(): void {
    this.take();
    this.expect('on', "'on'");
    const e = this.expr();
    // 6.18 `depends on X if Y`: X only while Y is not n, i.e. X || (Y = n) as menu_add_dep() writes it.
    const cond = this.opts.dialect.transitional ? this.ifExpr() : undefined;
    this.expect('EOL');
    this.currentEntry.dep = andExpr(this.currentEntry.dep, cond ? orExpr(e, equalsNo(cond, this.out.no)) : e);
  }

  private help(): void {
    this.take();
    this.expect('EOL');
    this.lexer.startHelp();
    const text = this.expect('HELPTEXT').text;
    const entry = this.currentEntry;
    const label = entry.sym?.name ?? '<choice>';
    if (entry.help !== undefined) {
      this.warn(this.lexer.file, this.lexer.statementLine, `'${label}' defined with more than one help text -- only the last one will be used`);
    }
    if (text.trim() === '') this.warn(this.lexer.file, this.lexer.statementLine, `'${label}' defined with blank help text`);
    entry.help = text;
  }

  private choice(): void {
    this.take();
    const legacy = this.opts.dialect.legacy;
    // Choices before 6.11 could be named (a name shares one choice between blocks).
    const name = legacy ? this.accept('WORD')?.text : undefined;
    this.expect('EOL');
    let sym: KSymbol | undefined;
    if (name !== undefined) sym = this.out.all.find((s) => s.isChoice && s.name === name);
    if (!sym) {
      sym = this.newSymbol(name, false);
      sym.isChoice = true;
    }
    const entry = this.addEntry('choice', sym);
    entry.members = [];
    this.out.choices.push(entry);
    if (!legacy) this.setType('bool');
    for (;;) {
      const t = this.peek();
      if (t.kind === 'prompt') {
        this.take();
        const text = this.expect('WORD_QUOTE', 'a quoted prompt').text;
        this.addPrompt('prompt', text, this.ifExpr());
        this.expect('EOL');
      } else if (t.kind === 'bool' || (legacy && t.kind === 'tristate')) {
        this.take();
        if (legacy) {
          if (this.peek().kind === 'WORD_QUOTE') {
            const text = this.take().text;
            this.addPrompt('prompt', text, this.ifExpr());
          }
          this.setType(t.kind === 'bool' ? 'bool' : 'tristate');
        } else {
          const text = this.expect('WORD_QUOTE', 'a quoted prompt').text;
          this.addPrompt('prompt', text, this.ifExpr());
        }
        this.expect('EOL');
      } else if (legacy && t.kind === 'optional') {
        this.take();
        this.expect('EOL');
        sym.optional = true;
      } else if (t.kind === 'default') {
        this.take();
        const target = this.lookup(this.expect('WORD', 'a symbol name').text);
        this.addProp('default', { expr: symExpr(target), cond: this.ifExpr() });
        this.expect('EOL');
      } else if (t.kind === 'depends') {
        this.depends();
      } else if (t.kind === 'help') {
        this.help();
      } else break;
    }
    if (!legacy && !entry.prompt) this.fail('choice must have a prompt', entry.line, entry.file);
    this.enterMenu();
    const outer = this.currentChoice;
    this.currentChoice = entry;
    this.statements(true);
    this.currentChoice = outer;
    this.end('choice', entry);
  }

  private end(expected: 'menu' | 'choice' | 'if', opened: MenuNode): void {
    const t = this.peek();
    if (t.kind !== 'endmenu' && t.kind !== 'endchoice' && t.kind !== 'endif') {
      this.fail(`missing end statement for this entry`, opened.line, opened.file);
    }
    this.take();
    this.expect('EOL');
    this.leaveMenu(t, expected);
  }

  private ifBlock(inChoice: boolean): void {
    this.take();
    const cond = this.expr();
    this.expect('EOL');
    const entry = this.addEntry('if', undefined);
    entry.dep = cond;
    this.enterMenu();
    this.statements(inChoice);
    this.end('if', entry);
  }

  /** `menu "title"` or `comment "text"`: the entry, with its prompt. */
  private titled(kind: 'menu' | 'comment', what: string): MenuNode {
    this.take();
    const text = this.expect('WORD_QUOTE', what).text;
    this.expect('EOL');
    const entry = this.addEntry(kind, undefined);
    this.addPrompt(kind, text, undefined);
    return entry;
  }

  private menu(): void {
    const entry = this.titled('menu', 'a quoted title');
    for (;;) {
      const t = this.peek();
      if (t.kind === 'visible') {
        this.take();
        const cond = this.ifExpr();
        this.expect('EOL');
        entry.visibility = andExpr(entry.visibility, cond);
      } else if (t.kind === 'depends') {
        this.depends();
      } else break;
    }
    this.enterMenu();
    this.statements(false);
    this.end('menu', entry);
  }

  private comment(): void {
    this.titled('comment', 'a quoted comment');
    while (this.peek().kind === 'depends') this.depends();
  }

  private source(): void {
    this.take();
    const path = this.expect('WORD_QUOTE', 'a quoted file name').text;
    this.expect('EOL');
    const text = this.opts.readFile(path);
    if (text === undefined) this.fail(`can't open file "${path}"`);
    const chain = this.lexer.includeChain;
    if (chain.some((c) => c.file === path)) {
      const via = chain.map((c) => c.file).join(' <- ');
      this.fail(`recursive inclusion of ${path} (${via})`);
    }
    this.out.files.push(path);
    this.lexer.pushFile(path, text);
  }

  private ifExpr(): Expr | undefined {
    if (!this.accept('if')) return undefined;
    return this.expr();
  }

  // expr: || binds loosest, then &&, then !; comparisons are between two symbols.
  private expr(): Expr {
    let e = this.andExpr();
    while (this.accept('||')) e = { t: 'or', a: e, b: this.andExpr() };
    return e;
  }
  private andExpr(): Expr {
    let e = this.unary();
    while (this.accept('&&')) e = { t: 'and', a: e, b: this.unary() };
    return e;
  }
  private unary(): Expr {
    if (this.accept('!')) return { t: 'not', e: this.unary() };
    if (this.accept('(')) {
      const e = this.expr();
      this.expect(')', "')'");
      return e;
    }
    const l = this.symbol();
    const op = COMPARE[this.peek().kind];
    if (!op) return symExpr(l);
    this.take();
    return { t: 'cmp', op, l, r: this.symbol() };
  }
  private symbol(): KSymbol {
    const t = this.peek();
    if (t.kind === 'WORD') return this.lookup(this.take().text);
    if (t.kind === 'WORD_QUOTE') return this.lookupConst(this.take().text);
    return this.fail(`syntax error: expected a symbol, got ${t.kind === 'EOL' ? 'end of line' : `'${t.text || t.kind}'`}`, t.line);
  }
}

function newMenu(kind: MenuKind, sym: KSymbol | undefined, parent: MenuNode | undefined, file: string, line: number): MenuNode {
  return {
    kind,
    sym,
    parent,
    children: [],
    file,
    line,
    prompt: undefined,
    dep: undefined,
    visibility: undefined,
    help: undefined,
    members: undefined,
  };
}

function describe(kind: TokenKind): string {
  if (kind === 'EOL') return 'end of line';
  if (kind === 'WORD') return 'a word';
  if (kind === 'WORD_QUOTE') return 'a quoted string';
  return `'${kind}'`;
}

/** Parses a whole tree from its top-level file (usually `Kconfig`). */
export function parseKconfig(rootFile: string, opts: ParseOptions): ParsedKconfig {
  const text = opts.readFile(rootFile);
  if (text === undefined) throw new KconfigSyntaxError(rootFile, 0, `can't find file ${rootFile}`);
  return new Parser(opts, rootFile, text).parse();
}
