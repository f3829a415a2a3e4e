import { conjuncts, evalExpr, parseExpr, printExpr, symbolsIn, type Expr, type Lookup } from './kconfig-expr.ts';
import type { KconfigIndex, SymbolDefinition } from './kconfig-index.ts';
import type { Casualty } from './survival.ts';

// Why a requested option did not survive, in one line. This is a seam: the
// Kconfig engine's explainer (src/kconfig) replaces `simpleCasualtyReason`
// without the build changing anywhere else.

export interface ReasonContext {
  index: KconfigIndex;
  /** Final .config values (symbol without CONFIG_ -> value). */
  final: ReadonlyMap<string, string>;
  kernel: string;
  /** The policy's other spelling of this symbol (a known rename), when there is one. */
  knownRename?: (symbol: string) => string | undefined;
}

export type CasualtyReasoner = (casualty: Casualty, ctx: ReasonContext) => string;

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function nearest(symbol: string, index: KconfigIndex): string | undefined {
  let best: string | undefined;
  let bestDistance = 3; // at most two edits: a typo, not a different option
  for (const name of index.definitions.keys()) {
    const d = levenshtein(symbol, name, bestDistance - 1);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** `A && !B` -> `A=y && !B [B=y]`-style listing of a term with the values of its symbols. */
function withValues(e: Expr, lookup: Lookup): string {
  const values = symbolsIn(e).map((s) => `${s}=${lookup(s) ?? 'n'}`);
  return values.length ? `${printExpr(e)} [${values.join(', ')}]` : printExpr(e);
}

function tryParse(src: string): Expr | undefined {
  try {
    return parseExpr(src);
  } catch {
    return undefined; // an exotic expression: say less rather than fail the build's error report
  }
}

function falseTerms(def: SymbolDefinition, lookup: Lookup): string[] {
  const out: string[] = [];
  for (const dep of def.dependsOn) {
    const e = tryParse(dep.expr);
    if (!e) continue;
    if (evalExpr(e, lookup) === 2) continue;
    for (const term of conjuncts(e)) {
      const v = evalExpr(term, lookup);
      if (v === 0) out.push(withValues(term, lookup));
      else if (v === null) out.push(`${printExpr(term)} [a toolchain test, probably false]`);
    }
  }
  return out;
}

/** Every prompt is behind a false `if`: the value is the entry's default, whatever was requested. */
function hiddenPrompt(defs: readonly SymbolDefinition[], lookup: Lookup): string | undefined {
  const conds = defs.map((d) => (d.promptIf === undefined ? undefined : tryParse(d.promptIf)));
  if (!defs.length || conds.some((e) => !e || evalExpr(e, lookup) !== 0)) return undefined;
  const e = conds[0]!;
  const falseParts = conjuncts(e).filter((t) => evalExpr(t, lookup) === 0).map((t) => withValues(t, lookup));
  return `prompt hidden (only shown if ${printExpr(e)}; false: ${falseParts.join(', ')}), so its default applies (${defs[0]!.file}:${defs[0]!.line})`;
}

function unknownSymbol(c: Casualty, ctx: ReasonContext): string {
  const parts = [`unknown symbol: no \`config ${c.symbol}\` in Linux ${ctx.kernel} for ${ctx.index.srcarch}`];
  const rename = ctx.knownRename?.(c.symbol);
  if (rename) parts.push(`the policy knows it as ${rename}`);
  const guess = nearest(c.symbol, ctx.index);
  if (guess && guess !== rename) parts.push(`did you mean ${guess}?`);
  return parts.join('; ');
}

export const simpleCasualtyReason: CasualtyReasoner = (c, ctx) => {
  if (c.kind === 'unknown-symbol') return unknownSymbol(c, ctx);
  const lookup: Lookup = (s) => ctx.final.get(s);
  const defs = ctx.index.definitions.get(c.symbol) ?? [];
  const activeSelectors = (ctx.index.selectors.get(c.symbol) ?? []).filter(
    (s) => {
      const cond = s.cond === undefined ? undefined : tryParse(s.cond);
      return lookup(s.by) === 'y' && (!cond || evalExpr(cond, lookup) !== 0);
    },
  );
  const finalValue = c.final ?? 'n';
  const hidden = hiddenPrompt(defs, lookup);

  // Forced up: asked for less than it got.
  if (c.requested === 'n' && (finalValue === 'y' || finalValue === 'm')) {
    const selects = activeSelectors.filter((s) => s.kind === 'select');
    if (selects.length) {
      return `forced by select: selected by ${selects.map((s) => `${s.by}=y (${s.file}:${s.line})`).join(', ')}`;
    }
    if (defs.length && defs.every((d) => !d.hasPrompt)) {
      return 'not user-settable (no prompt): its value comes from its `default` lines';
    }
    if (hidden) return hidden;
    const implies = activeSelectors.filter((s) => s.kind === 'imply');
    if (implies.length) return `implied by ${implies.map((s) => `${s.by}=y`).join(', ')}`;
  }

  // Held down: asked for more than it got.
  if (c.requested !== 'n' && finalValue === 'n') {
    const unmet = defs.map((d) => ({ d, terms: falseTerms(d, lookup) }));
    // A symbol defined in several places is satisfied by any one of them: blame the first unmet one.
    const blocking = unmet.every((u) => u.terms.length > 0) ? unmet[0] : undefined;
    if (blocking) {
      const deps = blocking.d.dependsOn.map((x) => x.expr).join(' && ');
      return `unmet dependency: depends on ${deps}; false: ${blocking.terms.join(', ')} (${blocking.d.file}:${blocking.d.line})`;
    }
    if (defs.length && defs.every((d) => !d.hasPrompt)) {
      const all = (ctx.index.selectors.get(c.symbol) ?? []).filter((s) => s.kind === 'select').map((s) => s.by);
      return `not user-settable (no prompt): only \`select\` turns it on${all.length ? `; selectable by ${all.slice(0, 5).join(', ')}${all.length > 5 ? ', ...' : ''} (none is y)` : ''}`;
    }
    if (hidden) return hidden;
    const choice = defs.find((d) => d.choice)?.choice;
    if (choice) return `an option of the choice at ${choice.file}:${choice.line}: another option was chosen`;
  }
  return `Kconfig changed it (no simple reason found; try \`capsem-kernel explain ${c.symbol}\`)`;
};
