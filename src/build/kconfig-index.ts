import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

// A small, read-only index of a kernel tree's Kconfig files: just enough to say
// why a requested option did not survive (does the symbol exist for this arch,
// what does it depend on, who selects it). The full Kconfig engine lives in
// src/kconfig; this index only feeds the build's casualty reasons and is
// replaced by that engine behind `CasualtyReasoner` (see casualty-reason.ts).

export interface Located {
  file: string;
  line: number;
}

/** One `config SYM` block (a symbol can be defined in several places). */
export interface SymbolDefinition extends Located {
  type?: string;
  hasPrompt: boolean;
  /** The prompt's `if` condition: when false the prompt is hidden and the entry's defaults decide. */
  promptIf?: string;
  /** Every dependency expression: the entry's own `depends on` plus enclosing `if`/`menu`/`choice` ones. */
  dependsOn: { expr: string; from: string }[];
  /** Set when the entry is an option of a `choice` block. */
  choice?: Located;
}

export interface Selector extends Located {
  by: string;
  /** The `if` condition of the select, when any. */
  cond?: string;
  kind: 'select' | 'imply';
}

export interface KconfigIndex {
  srcarch: string;
  definitions: ReadonlyMap<string, readonly SymbolDefinition[]>;
  /** Target symbol -> the entries that `select` or `imply` it. */
  selectors: ReadonlyMap<string, readonly Selector[]>;
}

/** Kernel ARCH -> SRCARCH (the directory under arch/). */
export function srcArchFor(arch: 'x86_64' | 'arm64'): string {
  return arch === 'x86_64' ? 'x86' : 'arm64';
}

interface Frame {
  kind: 'if' | 'menu' | 'choice';
  deps: { expr: string; from: string }[];
  at: Located;
}

const HELP = /^\s*(help|---help---)\s*$/;

function indentWidth(line: string): number {
  let w = 0;
  for (const ch of line) {
    if (ch === ' ') w++;
    else if (ch === '\t') w = (Math.floor(w / 8) + 1) * 8;
    else break;
  }
  return w;
}

/** `"text" [if COND]` after a type keyword or `prompt`. */
function setPrompt(def: SymbolDefinition, rest: string): void {
  def.hasPrompt = true;
  const m = /^"(?:[^"\\]|\\.)*"\s+if\s+(.+)$/.exec(rest);
  if (m) def.promptIf = m[1]!.trim();
}

/** Follows `source` statements from the top-level Kconfig, with $(SRCARCH) set, like the kernel does. */
export async function scanKconfig(srcTree: string, srcarch: string): Promise<KconfigIndex> {
  const definitions = new Map<string, SymbolDefinition[]>();
  const selectors = new Map<string, Selector[]>();
  const vars: Record<string, string> = { SRCARCH: srcarch, HEADER_ARCH: srcarch };
  const seen = new Set<string>();
  const frames: Frame[] = [];

  const expand = (s: string): string | undefined => {
    let unknown = false;
    const out = s.replace(/\$\((\w+)\)/g, (_, v: string) => vars[v] ?? ((unknown = true), ''));
    return unknown ? undefined : out;
  };

  async function scanFile(abs: string): Promise<void> {
    if (seen.has(abs)) return;
    seen.add(abs);
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch {
      return; // `osource` of a missing file, or a tree without that arch
    }
    const file = relative(srcTree, abs);
    const raw = text.split('\n');
    let current: SymbolDefinition | undefined;
    let currentName: string | undefined;
    let header: Frame | undefined; // a menu/choice whose own attribute lines we are reading
    let helpIndent: number | undefined; // inside a help text: lines indented at least this much
    let inHelp = false;

    for (let i = 0; i < raw.length; i++) {
      const lineNo = i + 1;
      let line = raw[i]!;
      while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + raw[++i]!;
      if (inHelp) {
        if (line.trim() === '') continue;
        const w = indentWidth(line);
        helpIndent ??= w;
        if (w >= helpIndent && w > 0) continue;
        inHelp = false;
        helpIndent = undefined;
      }
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      const [kw = '', ...restParts] = t.split(/\s+/);
      const rest = t.slice(kw.length).trim();
      const here = { file, line: lineNo };
      const enclosingDeps = () => frames.flatMap((f) => f.deps);

      switch (kw) {
        case 'config':
        case 'menuconfig': {
          header = undefined;
          currentName = restParts[0]!;
          const choiceFrame = [...frames].reverse().find((f) => f.kind === 'choice');
          current = { ...here, hasPrompt: false, dependsOn: [...enclosingDeps()] };
          if (choiceFrame) current.choice = choiceFrame.at;
          const list = definitions.get(currentName) ?? [];
          list.push(current);
          definitions.set(currentName, list);
          continue;
        }
        case 'if':
          current = undefined;
          header = undefined;
          frames.push({ kind: 'if', deps: [{ expr: rest, from: `if ${rest} (${file}:${lineNo})` }], at: here });
          continue;
        case 'menu':
        case 'choice':
          current = undefined;
          header = { kind: kw, deps: [], at: here };
          frames.push(header);
          continue;
        case 'endif':
        case 'endmenu':
        case 'endchoice':
          current = undefined;
          header = undefined;
          frames.pop();
          continue;
        case 'comment':
        case 'mainmenu':
          current = undefined;
          header = undefined;
          continue;
        case 'source':
        case 'osource':
        case 'rsource':
        case 'orsource': {
          current = undefined;
          header = undefined;
          const m = /^"([^"]*)"/.exec(rest);
          const path = m ? expand(m[1]!) : undefined;
          if (path === undefined) continue;
          const base = kw.startsWith('r') || kw.startsWith('or') ? join(abs, '..') : srcTree;
          await scanFile(join(base, path));
          continue;
        }
      }

      if (HELP.test(line)) {
        inHelp = true;
        continue;
      }
      if (kw === 'depends' && restParts[0] === 'on') {
        const expr = rest.replace(/^on\s+/, '');
        if (current) current.dependsOn.push({ expr, from: `depends on ${expr} (${file}:${lineNo})` });
        else if (header) header.deps.push({ expr, from: `${header.kind} depends on ${expr} (${file}:${lineNo})` });
        continue;
      }
      if (!current || !currentName) continue;
      if (kw === 'select' || kw === 'imply') {
        const target = restParts[0]!;
        const m = /\bif\s+(.+)$/.exec(rest);
        const list = selectors.get(target) ?? [];
        list.push({ ...here, by: currentName, kind: kw, ...(m ? { cond: m[1]!.trim() } : {}) });
        selectors.set(target, list);
      } else if (/^(bool|boolean|tristate|string|int|hex|def_bool|def_tristate)$/.test(kw)) {
        current.type = kw.replace(/^def_/, '').replace('boolean', 'bool');
        if (!kw.startsWith('def_') && /^"/.test(rest)) setPrompt(current, rest);
      } else if (kw === 'prompt') {
        setPrompt(current, rest);
      }
    }
  }

  await scanFile(join(srcTree, 'Kconfig'));
  return { srcarch, definitions, selectors };
}
