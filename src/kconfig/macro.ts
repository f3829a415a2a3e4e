// The Kconfig preprocessor (scripts/kconfig/preprocess.c): `$(VAR)`,
// user-defined functions with `$(1)`..., the built-ins (shell, info,
// warning-if, error-if, filename, lineno) and the environment fallback.
// `$(shell,...)` is delegated to the host, which runs it (or replays it).

export type VariableFlavor = 'recursive' | 'simple' | 'append';

export interface MacroHost {
  /** The environment the kernel's Makefile hands to Kconfig (ARCH, CC, srctree, ...). */
  env(name: string): string | undefined;
  /** Output of `sh -c cmd`, as popen() would give it (raw; trimming is done here). */
  shell(cmd: string): string;
  info(message: string): void;
  warning(message: string): void;
  /** Where the lexer is, for $(filename), $(lineno) and messages. */
  where(): { file: string; line: number };
}

/** A preprocessor error is fatal in the kernel too (pperror exits). */
export class MacroError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Variable {
  value: string;
  flavor: 'recursive' | 'simple';
  expanding: number;
  /** A simple variable whose value came from the toolchain (a shell call or a toolchain variable). */
  probed: boolean;
}

/** Environment variables that describe the build, not the toolchain. */
const NOT_TOOLCHAIN = new Set(['ARCH', 'SRCARCH', 'SUBARCH', 'srctree', 'KERNELVERSION']);

const MAX_ARGS = 16;
const SHELL_OUTPUT_MAX = 4095; // do_shell() reads into a 4096-byte buffer

export class Preprocessor {
  private readonly variables = new Map<string, Variable>();
  /** Environment variables that were referenced, with their values (auto.conf.cmd's list). */
  readonly usedEnv = new Map<string, string>();
  /**
   * Grows whenever an expansion consults the toolchain: $(shell,...), a toolchain
   * environment variable (CC, LD, ...), or a variable computed from those. The
   * parser compares it around an entry to know which symbols are compiler probes.
   */
  toolchainReads = 0;

  constructor(private readonly host: MacroHost) {}

  private fail(message: string): never {
    const { file, line } = this.host.where();
    throw new MacroError(file, line, message);
  }

  addVariable(name: string, value: string, flavor: VariableFlavor): void {
    const existing = this.variables.get(name);
    let kind: 'recursive' | 'simple';
    let append = false;
    if (existing) {
      // `+=` keeps the flavor of a defined variable.
      if (flavor === 'append') {
        kind = existing.flavor;
        append = true;
      } else {
        kind = flavor;
      }
    } else {
      kind = flavor === 'append' ? 'recursive' : flavor;
    }
    const before = this.toolchainReads;
    const newValue = kind === 'simple' ? this.expandString(value) : value;
    const probed = this.toolchainReads !== before;
    if (existing) {
      existing.flavor = kind;
      existing.value = append ? `${existing.value} ${newValue}` : newValue;
      existing.probed = append ? existing.probed || probed : probed;
    } else {
      this.variables.set(name, { value: newValue, flavor: kind, expanding: 0, probed });
    }
  }

  /** Expands every reference in `s` (expand_string). */
  expandString(s: string, args: readonly string[] = []): string {
    return this.expandUntil(s, 0, () => false, args).value;
  }

  /**
   * expand_one_token(): expands from `start` until a character that cannot be
   * part of a symbol name; returns the expansion and where the rest begins.
   */
  expandToken(s: string, start: number): { value: string; end: number } {
    return this.expandUntil(s, start, (c) => !/[A-Za-z0-9_-]/.test(c), []);
  }

  /** expand_dollar(): `s[start]` is the character after a `$`. */
  expandDollar(s: string, start: number, args: readonly string[] = []): { value: string; end: number } {
    // `$` not followed by `(` loses its meaning: no $A, no ${A}.
    if (s[start] !== '(') return { value: '$', end: start };
    let nest = 0;
    let q = start + 1;
    for (; q < s.length; q++) {
      const c = s[q];
      if (c === '(') nest++;
      else if (c === ')') {
        if (nest-- === 0) break;
      }
    }
    if (q >= s.length) this.fail(`unterminated reference to '${s.slice(start + 1)}': missing ')'`);
    return { value: this.evalClause(s.slice(start + 1, q), args), end: q + 1 };
  }

  private expandUntil(
    s: string,
    start: number,
    isEnd: (c: string) => boolean,
    args: readonly string[],
  ): { value: string; end: number } {
    let out = '';
    let from = start;
    let p = start;
    while (p < s.length) {
      const c = s[p]!;
      if (c === '$') {
        out += s.slice(from, p);
        const r = this.expandDollar(s, p + 1, args);
        out += r.value;
        p = from = r.end;
        continue;
      }
      if (isEnd(c)) break;
      p++;
    }
    return { value: out + s.slice(from, p), end: p };
  }

  private evalClause(clause: string, args: readonly string[]): string {
    // $(1), $(2)...: an argument of the enclosing user-defined function.
    if (/^\s*\+?\d+$/.test(clause)) {
      const n = Number(clause.trim());
      if (n > 0 && n <= args.length) return args[n - 1]!;
    }
    const parts: string[] = [];
    let nest = 0;
    let prev = 0;
    for (let i = 0; i < clause.length; i++) {
      const c = clause[i];
      if (nest === 0 && c === ',') {
        if (parts.length >= MAX_ARGS) this.fail('too many function arguments');
        parts.push(clause.slice(prev, i));
        prev = i + 1;
      } else if (c === '(') nest++;
      else if (c === ')') nest--;
    }
    if (parts.length >= MAX_ARGS) this.fail('too many function arguments');
    parts.push(clause.slice(prev));

    const name = this.expandString(parts[0]!, args);
    const callArgs = parts.slice(1).map((a) => this.expandString(a, args));

    const variable = this.variables.get(name);
    if (variable) return this.expandVariable(name, variable, callArgs);
    const fn = this.functions[name];
    if (fn) {
      if (callArgs.length < fn.min) this.fail(`too few function arguments passed to '${name}'`);
      if (callArgs.length > fn.max) this.fail(`too many function arguments passed to '${name}'`);
      return fn.run(callArgs);
    }
    if (callArgs.length === 0 && name !== '') {
      const value = this.host.env(name);
      if (value !== undefined) {
        this.usedEnv.set(name, value);
        if (!NOT_TOOLCHAIN.has(name)) this.toolchainReads++;
        return value;
      }
    }
    return '';
  }

  private expandVariable(name: string, v: Variable, args: readonly string[]): string {
    if (args.length === 0 && v.expanding) this.fail(`Recursive variable '${name}' references itself (eventually)`);
    if (v.expanding > 1000) this.fail('Too deep recursive expansion');
    if (v.probed) this.toolchainReads++;
    v.expanding++;
    try {
      return v.flavor === 'recursive' ? this.expandString(v.value, args) : v.value;
    } finally {
      v.expanding--;
    }
  }

  private readonly functions: Record<string, { min: number; max: number; run: (a: string[]) => string }> = {
    'error-if': {
      min: 2,
      max: 2,
      run: (a) => {
        if (a[0] === 'y') this.fail(a[1]!);
        return '';
      },
    },
    filename: { min: 0, max: 0, run: () => this.host.where().file },
    info: {
      min: 1,
      max: 1,
      run: (a) => {
        this.host.info(a[0]!);
        return '';
      },
    },
    lineno: { min: 0, max: 0, run: () => String(this.host.where().line) },
    shell: {
      min: 1,
      max: 1,
      run: (a) => {
        this.toolchainReads++;
        return shellOutput(this.host.shell(a[0]!));
      },
    },
    'warning-if': {
      min: 2,
      max: 2,
      run: (a) => {
        if (a[0] === 'y') this.host.warning(a[1]!);
        return '';
      },
    },
  };
}

/** do_shell(): at most 4095 bytes, trailing newlines dropped, inner newlines become spaces. */
export function shellOutput(raw: string): string {
  let out = raw.length > SHELL_OUTPUT_MAX ? raw.slice(0, SHELL_OUTPUT_MAX) : raw;
  out = out.replace(/\n+$/, '');
  return out.replace(/\n/g, ' ');
}
