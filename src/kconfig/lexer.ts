// The Kconfig lexer (scripts/kconfig/lexer.l), as a hand-written scanner with
// the same states: INITIAL, ASSIGN_VAL (right-hand side of `X := ...`), HELP
// (indentation-delimited text) and strings. `$(...)` is expanded while
// lexing, exactly where the kernel expands it: inside words and strings.

import type { Preprocessor } from './macro.ts';

export const KEYWORDS = [
  'bool',
  'choice',
  'comment',
  'config',
  'def_bool',
  'def_tristate',
  'default',
  'depends',
  'endchoice',
  'endif',
  'endmenu',
  'help',
  'hex',
  'if',
  'imply',
  'int',
  'mainmenu',
  'menu',
  'menuconfig',
  'modules',
  'on',
  'optional',
  'prompt',
  'range',
  'select',
  'source',
  'string',
  'transitional',
  'tristate',
  'visible',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

const OPERATORS = ['||', '&&', '!=', '<=', '>=', ':=', '+=', '=', '<', '>', '!', '(', ')'] as const;
export type Operator = (typeof OPERATORS)[number];
const TWO_CHAR = new Set<string>(OPERATORS.filter((o) => o.length === 2));
const ONE_CHAR = new Set<string>(OPERATORS.filter((o) => o.length === 1));

/** The longest operator at `pos`, as flex would match it. */
function operatorAt(text: string, pos: number): Operator | undefined {
  const two = text.slice(pos, pos + 2);
  if (TWO_CHAR.has(two)) return two as Operator;
  const one = text[pos]!;
  return ONE_CHAR.has(one) ? (one as Operator) : undefined;
}

export type TokenKind =
  | Keyword
  | Operator
  | 'EOL'
  | 'EOF'
  | 'WORD'
  | 'WORD_QUOTE'
  | 'HELPTEXT'
  | 'ASSIGN_VAL';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Line of the token in its file. */
  line: number;
}

interface FileBuffer {
  name: string;
  text: string;
  pos: number;
  line: number;
  /** Line of the `source` statement in the including file. */
  sourcedAt: number;
}

// Character classes by char code: [A-Za-z0-9_-] and `$`.
const WORD = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-') WORD[c.charCodeAt(0)] = 1;
const DOLLAR = 36;
const isWordOrDollar = (code: number) => code === DOLLAR || (code < 128 && WORD[code] === 1);

export interface LexerOptions {
  /** Keywords this dialect knows (`optional` exists only before 6.11, `transitional` from 6.18). */
  keywords: ReadonlySet<string>;
  warn(file: string, line: number, message: string): void;
}

export class Lexer {
  private buf: FileBuffer;
  private readonly stack: FileBuffer[] = [];
  private state: 'initial' | 'assign' | 'help' = 'initial';
  private prev: TokenKind = 'EOL';
  private prevPrev: TokenKind = 'EOL';
  /** cur_lineno: line of the first token of the current statement. */
  statementLine = 1;

  constructor(
    name: string,
    text: string,
    private readonly pp: Preprocessor,
    private readonly opts: LexerOptions,
  ) {
    this.buf = { name, text, pos: 0, line: 1, sourcedAt: 0 };
  }

  get file(): string {
    return this.buf.name;
  }
  /** yylineno: where the scanner is now. */
  get line(): number {
    return this.buf.line;
  }
  /** The chain of files being read, innermost first (for recursion checks). */
  get includeChain(): { file: string; line: number }[] {
    return [this.buf, ...this.stack.slice().reverse()].map((b) => ({ file: b.name, line: b.sourcedAt }));
  }

  /** zconf_nextfile(): continue in `name`, then come back here. */
  pushFile(name: string, text: string): void {
    this.stack.push(this.buf);
    this.buf = { name, text, pos: 0, line: 1, sourcedAt: this.statementLine };
  }

  /** zconf_starthelp(): the next token is the help text. */
  startHelp(): void {
    this.state = 'help';
  }

  /** The second-stage lexer: drops empty lines, tracks statement lines, spots assignments. */
  next(): Token {
    let tok: Token;
    for (;;) {
      tok = this.scan();
      if (this.prev === 'EOL' || this.prev === 'HELPTEXT') {
        if (tok.kind === 'EOL') continue;
        this.statementLine = tok.line;
      }
      break;
    }
    if (
      this.prevPrev === 'EOL' &&
      this.prev === 'WORD' &&
      (tok.kind === '=' || tok.kind === ':=' || tok.kind === '+=')
    ) {
      this.state = 'assign';
    }
    this.prevPrev = this.prev;
    this.prev = tok.kind;
    return tok;
  }

  private token(kind: TokenKind, text = ''): Token {
    return { kind, text, line: this.buf.line };
  }

  private lineEnd(from: number): number {
    const i = this.buf.text.indexOf('\n', from);
    return i < 0 ? this.buf.text.length : i;
  }

  private scan(): Token {
    const b = this.buf;
    if (this.state === 'help') return this.scanHelp();
    for (;;) {
      if (b.pos >= b.text.length) return this.endOfFile();
      const c = b.text[b.pos]!;
      if (this.state === 'assign') {
        if (c === '\n') {
          b.pos++;
          b.line++;
          this.state = 'initial';
          return { kind: 'EOL', text: '', line: b.line - 1 };
        }
        if (c === ' ' || c === '\t') {
          b.pos++;
          continue;
        }
        const end = this.lineEnd(b.pos);
        const value = b.text.slice(b.pos, end);
        b.pos = end;
        return this.token('ASSIGN_VAL', value);
      }
      if (c === '#') {
        b.pos = this.lineEnd(b.pos);
        continue;
      }
      if (c === ' ' || c === '\t') {
        b.pos++;
        continue;
      }
      if (c === '\\' && b.text[b.pos + 1] === '\n') {
        b.pos += 2;
        b.line++;
        continue;
      }
      if (c === '\n') {
        b.pos++;
        b.line++;
        return { kind: 'EOL', text: '', line: b.line - 1 };
      }
      if (c === '"' || c === "'") {
        b.pos++;
        return this.scanString(c);
      }
      if (isWordOrDollar(c.charCodeAt(0))) {
        const start = b.pos;
        let end = start;
        let dollar = false;
        for (let code = b.text.charCodeAt(end); isWordOrDollar(code); code = b.text.charCodeAt(++end)) {
          if (code === DOLLAR) dollar = true;
        }
        if (!dollar) {
          b.pos = end;
          const word = b.text.slice(start, end);
          return this.opts.keywords.has(word) ? this.token(word as Keyword, word) : this.token('WORD', word);
        }
        // A word with `$`: expand up to the end of the token; an empty result is no token.
        const line = b.text.slice(start, this.lineEnd(start));
        const r = this.pp.expandToken(line, 0);
        b.pos = start + r.end;
        if (r.value.length) return this.token('WORD', r.value);
        continue;
      }
      const op = operatorAt(b.text, b.pos);
      if (op) {
        b.pos += op.length;
        return this.token(op, op);
      }
      this.opts.warn(b.name, b.line, `ignoring unsupported character '${c}'`);
      b.pos++;
    }
  }

  private endOfFile(): Token {
    this.state = 'initial';
    if (this.prev !== 'EOL' && this.prev !== 'HELPTEXT') {
      this.opts.warn(this.buf.name, this.buf.line, 'no new line at end of file');
    }
    const parent = this.stack.pop();
    if (parent) {
      this.buf = parent;
      return this.token('EOL');
    }
    return this.token('EOF');
  }

  private scanString(quote: string): Token {
    const b = this.buf;
    let out = '';
    for (;;) {
      if (b.pos >= b.text.length) return this.token('WORD_QUOTE', out);
      const c = b.text[b.pos]!;
      if (c === '$') {
        const line = b.text.slice(b.pos, this.lineEnd(b.pos));
        const r = this.pp.expandDollar(line, 1);
        out += r.value;
        b.pos += r.end;
      } else if (c === '\\') {
        const n = b.text[b.pos + 1];
        if (n !== undefined && n !== '\n') {
          out += n;
          b.pos += 2;
        } else {
          b.pos++;
        }
      } else if (c === '"' || c === "'") {
        b.pos++;
        if (c === quote) return this.token('WORD_QUOTE', out);
        out += c;
      } else if (c === '\n') {
        this.opts.warn(b.name, this.statementLine, 'multi-line strings not supported');
        return this.token('WORD_QUOTE', out);
      } else {
        let end = b.pos;
        while (end < b.text.length && !'$\'"\\\n'.includes(b.text[end]!)) end++;
        out += b.text.slice(b.pos, end);
        b.pos = end;
      }
    }
  }

  /**
   * Help text: the first non-blank line sets the indentation; the text ends at
   * a line indented less, or at a non-blank line in column 0.
   */
  private scanHelp(): Token {
    const b = this.buf;
    let text = '';
    let firstTs = 0;
    let lastTs = 0;
    const done = () => {
      this.state = 'initial';
      return this.token('HELPTEXT', text);
    };
    for (;;) {
      if (b.pos >= b.text.length) return done();
      let ws = b.pos;
      while (b.text[ws] === ' ' || b.text[ws] === '\t') ws++;
      if (b.text[ws] === '\n') {
        // A blank line: it ends the text when the next line starts in column 0.
        const next = b.text[ws + 1];
        b.pos = ws + 1;
        b.line++;
        if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\n') return done();
        text += '\n';
        continue;
      }
      if (ws > b.pos) {
        let ts = 0;
        for (let i = b.pos; i < ws; i++) ts = b.text[i] === '\t' ? (ts & ~7) + 8 : ts + 1;
        lastTs = ts;
        b.pos = ws;
        if (firstTs) {
          if (ts < firstTs) return done();
          ts -= firstTs;
          while (ts > 8) {
            text += '        ';
            ts -= 8;
          }
          text += ' '.repeat(ts);
        }
        if (b.pos >= b.text.length) return done();
      }
      const end = this.lineEnd(b.pos);
      text += b.text.slice(b.pos, end).replace(/[ \t]+$/, '');
      b.pos = end;
      if (!firstTs) firstTs = lastTs;
    }
  }
}
