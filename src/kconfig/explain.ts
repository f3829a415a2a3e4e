// Why a symbol has the value it has: a front end over the engine, shaped like
// the kernel's unmet-dependency warning (sym_warn_unmet_dep): the value, the
// limiting expression with each symbol's value, who selects it, which default
// applied; then the chain of unmet `depends on` terms down to the first symbol
// a user could change.

import {
  FEATURES,
  parseKernelSeries,
  RULES,
  symbolFor,
  symbolNames,
  type SymbolByVersion,
} from '../policy/index.ts';
import { isDefinedIn, sameValue, unmetRequests } from './compare.ts';
import { conjuncts, disjuncts, type Expr, printExpr, tidy, type Tristate, triName } from './expr.ts';
import { type Assignment, Evaluation, evaluate } from './evaluate.ts';
import type { KSymbol, Property } from './symbol.ts';
import type { KconfigTree } from './tree.ts';

/** One step of "what would have to change": a symbol, the value it needs, and how (or what blocks it). */
export interface Step {
  symbol: string;
  value: string;
  needs: 'y' | 'n';
  /** True when a user can set it directly (its prompt is visible). */
  settable: boolean;
  how: string;
  then: Step[];
}

export interface Relation {
  /** The selecting / implying symbol. */
  by: string;
  /** Its condition with values: `FOO [=y] && BAR [=n]`. */
  expr: string;
  value: 'n' | 'm' | 'y';
  at: string;
}

export interface Explanation {
  symbol: string;
  kernel: string;
  arch?: string;
  defined: boolean;
  /** The policy's name for it in this kernel, when the name asked for is another version's (or the spec's). */
  policyName?: { name?: string; absent?: string };
  type?: string;
  definitions: { at: string; prompt?: string; dependsOn?: string }[];
  /** As .config writes it; undefined when it is not written (invisible, no default). */
  value?: string;
  /** What the input (fragment or .config) asked for. */
  requested?: string;
  visible?: 'n' | 'm' | 'y';
  dependsOn?: { expr: string; value: 'n' | 'm' | 'y'; unmet: string[] };
  selectedBy: Relation[];
  impliedBy: Relation[];
  defaultApplied?: { value: string; cond?: string; at: string };
  range?: { low: string; high: string; at: string };
  choice?: { at: string; prompt?: string; chosen?: string };
  /** What would have to change for the symbol to get the value wanted. */
  chain: Step[];
  /** One line: why. */
  reason: string;
}

const at = (x: { file: string; line: number }) => `${x.file}:${x.line}`;

/** A symbol name annotated like expr_gstr_print: `FOO [=y]` (constants and undefined names bare). */
function labeller(ev: Evaluation): (s: KSymbol) => string {
  return (s) => {
    if (s.isConst || s.type === 'unknown' || s.name === undefined) return printExpr({ t: 'sym', s });
    return `${s.name} [=${ev.stringValue(s)}]`;
  };
}

const show = (ev: Evaluation, e: Expr | undefined) => printExpr(tidy(e), labeller(ev));

/** The policy's spelling of a symbol for `kernel`, when `name` is its spelling in another version (or the spec's). */
export function policyName(name: string, kernel: string): { name?: string; absent?: string } | undefined {
  const series = parseKernelSeries(kernel);
  if (!series) return undefined;
  const all: { symbol: SymbolByVersion; specName?: string }[] = [];
  for (const r of RULES) {
    if (r.kind !== 'kconfig') continue;
    all.push({ symbol: r.symbol, ...(r.specName ? { specName: r.specName } : {}) });
    for (const q of r.requires ?? []) all.push({ symbol: q.symbol });
  }
  for (const f of FEATURES) for (const o of f.options) all.push({ symbol: o.symbol });
  for (const { symbol, specName } of all) {
    if (!symbolNames(symbol).includes(name) && specName !== name) continue;
    const here = symbolFor(symbol, series);
    if ('absent' in here) return { absent: here.absent };
    if (here.name !== name) return { name: here.name };
  }
  return undefined;
}

function isBool(s: KSymbol): boolean {
  return s.type === 'bool' || s.type === 'tristate';
}

/** Whether a user can set the symbol directly in this configuration. */
function settable(ev: Evaluation, s: KSymbol): boolean {
  return ev.state(s).visible !== 0;
}

function promptText(s: KSymbol): string | undefined {
  return s.props.find((p) => p.text !== undefined)?.text;
}

/** Relations (select / imply) pointing at `s`, from its reverse-dependency expression. */
function relations(ev: Evaluation, s: KSymbol, kind: 'select' | 'imply'): Relation[] {
  const out: Relation[] = [];
  const expr = kind === 'select' ? s.revDep : s.implied;
  for (const term of disjuncts(expr)) {
    const by = conjuncts(term)[0];
    const bySym = by?.t === 'sym' ? by.s : undefined;
    const prop = bySym?.props.find((p) => p.kind === kind && p.expr?.t === 'sym' && p.expr.s === s);
    out.push({
      by: bySym?.name ?? '?',
      expr: show(ev, term),
      value: triName(ev.exprValue(term)),
      at: prop ? at(prop) : '?',
    });
  }
  return out;
}

const MAX_DEPTH = 6;

/**
 * What must change for `s` to become `needs` (y: on, n: off): a step, with
 * the steps below it when the symbol itself cannot be set.
 */
function stepFor(ev: Evaluation, s: KSymbol, needs: 'y' | 'n', depth: number, seen: Set<KSymbol>): Step | undefined {
  const name = s.name ?? '<choice>';
  const value = s.menus.length ? ev.stringValue(s) : '(undefined)';
  const base = { symbol: name, value, needs };
  // A symbol already explained higher up is not repeated.
  if (seen.has(s) || depth > MAX_DEPTH) return undefined;
  seen.add(s);
  if (!s.menus.length) return { ...base, settable: false, how: 'not defined for this arch and kernel', then: [] };
  const st = ev.state(s);
  const selectors = relations(ev, s, 'select');
  if (needs === 'n') {
    const active = selectors.filter((r) => r.value !== 'n');
    if (active.length) {
      const then = active.slice(0, 4).flatMap((r) => listOf(stepFor(ev, ev.tree.symbols.get(r.by)!, 'n', depth + 1, seen)));
      return { ...base, settable: false, how: `selected by ${active.map((r) => r.by).join(', ')}`, then };
    }
    if (st.visible !== 0) return { ...base, settable: true, how: `user-settable: set CONFIG_${name}=n`, then: [] };
    if (s.probed) return { ...base, settable: false, how: probeHow(s), then: [] };
    const d = ev.defaultProp(s);
    const how = d ? `no visible prompt: its default (${at(d.prop)}) makes it ${value}` : `no visible prompt`;
    return { ...base, settable: false, how, then: [] };
  }
  if (s.choice) {
    const chosen = s.choice.members!.find((m) => ev.tristate(m) === 2);
    if (st.visible !== 0) {
      return {
        ...base,
        settable: true,
        how: `a choice (${at(s.choice)}): pick it with CONFIG_${name}=y${chosen ? ` (now ${chosen.name})` : ''}`,
        then: [],
      };
    }
  } else if (st.visible !== 0) {
    return { ...base, settable: true, how: `user-settable ("${promptText(s)}"): set CONFIG_${name}=y`, then: [] };
  }
  const prompts = s.props.filter((p) => p.text !== undefined);
  if (prompts.length) {
    // The prompt is hidden: its condition (dependencies included) has false terms.
    const cond = prompts[0]!.cond;
    const unmet = unmetTerms(ev, cond);
    const then = unmet.flatMap((t) => termSteps(ev, t, true, depth + 1, seen));
    return { ...base, settable: false, how: `its prompt is hidden: needs ${unmet.map((t) => show(ev, t)).join(' && ') || show(ev, cond)}`, then };
  }
  if (s.probed) return { ...base, settable: false, how: probeHow(s), then: [] };
  const names = selectors.map((r) => r.by);
  const how = names.length
    ? `no prompt: only a select turns it on (selectable by ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}; none active)`
    : 'no prompt and nothing selects it: only its defaults set it';
  return { ...base, settable: false, how, then: [] };
}

const listOf = (s: Step | undefined): Step[] => (s ? [s] : []);

function probeHow(s: KSymbol): string {
  return `a compiler probe (${at(s.menus[0]!)}): the toolchain decides it, not the configuration`;
}

/** Steps that make `term` true (want=true) or false. */
function termSteps(ev: Evaluation, term: Expr, want: boolean, depth: number, seen: Set<KSymbol>): Step[] {
  switch (term.t) {
    case 'sym':
      return term.s.isConst ? [] : listOf(stepFor(ev, term.s, want ? 'y' : 'n', depth, seen));
    case 'not':
      return termSteps(ev, term.e, !want, depth, seen);
    case 'cmp': {
      if (!isBool(term.l) || !term.r.isConst) return [];
      const r = term.r.name;
      const raises = (term.op === '=' && r !== 'n') || (term.op === '!=' && r === 'n');
      const lowers = (term.op === '=' && r === 'n') || (term.op === '!=' && r === 'y');
      if (!raises && !lowers) return [];
      return listOf(stepFor(ev, term.l, raises === want ? 'y' : 'n', depth, seen));
    }
    case 'and':
      // All must hold: the false ones matter. (To make it false, any one will do: the first.)
      return want
        ? conjuncts(term).filter((t) => ev.exprValue(t) === 0).flatMap((t) => termSteps(ev, t, true, depth, seen))
        : termSteps(ev, conjuncts(term)[0]!, false, depth, seen);
    case 'or':
      // Any one will do: show the first way.
      return want
        ? termSteps(ev, disjuncts(term)[0]!, true, depth, seen)
        : disjuncts(term).filter((t) => ev.exprValue(t) !== 0).flatMap((t) => termSteps(ev, t, false, depth, seen));
  }
}

function unmetTerms(ev: Evaluation, e: Expr | undefined): Expr[] {
  return conjuncts(tidy(e)).filter((t) => ev.exprValue(t) === 0);
}

/** Explains one symbol in one evaluated configuration. */
export function explainSymbol(ev: Evaluation, name: string, requested?: string): Explanation {
  const tree = ev.tree;
  const sym = tree.symbols.get(name);
  const known = policyName(name, tree.series);
  const head = {
    symbol: name,
    kernel: tree.series,
    ...(tree.arch ? { arch: tree.arch } : {}),
    ...(known ? { policyName: known } : {}),
    ...(requested !== undefined ? { requested } : {}),
  };
  if (!sym || !sym.menus.length || sym.type === 'unknown') {
    const e: Explanation = { ...head, defined: false, definitions: [], selectedBy: [], impliedBy: [], chain: [], reason: '' };
    e.reason = unknownReason(e, tree);
    return e;
  }
  const st = ev.state(sym);
  const value = ev.written(sym) ? ev.configValue(sym) : undefined;
  const e: Explanation = {
    ...head,
    defined: true,
    type: sym.type,
    definitions: sym.menus.map((m) => ({
      at: at(m),
      ...(m.prompt?.text !== undefined ? { prompt: m.prompt.text } : {}),
      ...(m.dep ? { dependsOn: printExpr(m.dep) } : {}),
    })),
    ...(value !== undefined ? { value } : {}),
    visible: triName(st.visible),
    selectedBy: relations(ev, sym, 'select'),
    impliedBy: relations(ev, sym, 'imply'),
    chain: [],
    reason: '',
  };
  if (!sym.choice) {
    e.dependsOn = {
      expr: show(ev, sym.dirDep),
      value: triName(st.dependsOn),
      unmet: unmetTerms(ev, sym.dirDep).map((t) => show(ev, t)),
    };
  }
  // A default applies when no input value counts: none given, or the prompt is hidden.
  const d = ev.defaultProp(sym);
  if (d && !sym.choice && (!ev.hasUser(sym) || st.visible === 0)) {
    e.defaultApplied = { value: show(ev, d.prop.expr), ...condOf(ev, d.prop), at: at(d.prop) };
  }
  const range = ev.rangeProp(sym);
  if (range) e.range = { low: range.range![0].name!, high: range.range![1].name!, at: at(range) };
  if (sym.choice) {
    const chosen = sym.choice.members!.find((m) => ev.tristate(m) === 2);
    e.choice = {
      at: at(sym.choice),
      ...(sym.choice.prompt?.text ? { prompt: sym.choice.prompt.text } : {}),
      ...(chosen?.name ? { chosen: chosen.name } : {}),
    };
  }
  const current = value ?? (isBool(sym) ? 'n' : '');
  const want = wanted(sym, current, requested);
  if (want) e.chain = [stepFor(ev, sym, want, 0, new Set())!];
  e.reason = reasonFor(ev, sym, e, requested);
  return e;
}

function condOf(ev: Evaluation, p: Property): { cond?: string } {
  // The condition includes the entry's dependencies; show only the `if` part when it adds something.
  const own = p.cond && p.menu.dep && p.cond.t === 'and' && p.cond.a === p.menu.dep ? p.cond.b : p.cond === p.menu.dep ? undefined : p.cond;
  return own ? { cond: show(ev, own) } : {};
}

/** Which way the symbol would have to move: toward the request, or (no request) toward on when it is off. */
function wanted(sym: KSymbol, current: string, requested: string | undefined): 'y' | 'n' | undefined {
  if (!isBool(sym)) return undefined;
  if (requested === undefined) return current === 'n' ? 'y' : undefined;
  if (sameValue(requested, current)) return undefined;
  return requested === 'n' ? 'n' : current === 'n' ? 'y' : undefined;
}

function unknownReason(e: Explanation, tree: KconfigTree): string {
  const where = `Linux ${e.kernel}${e.arch ? ` ${e.arch}` : ''}`;
  let s = `unknown symbol: no \`config ${e.symbol}\` in ${where}`;
  if (e.policyName?.name) s += `; the policy knows it as ${e.policyName.name} here`;
  else if (e.policyName?.absent) s += `; the policy says: ${e.policyName.absent}`;
  else {
    const near = nearestDefined(e.symbol, tree);
    if (near) s += `; did you mean ${near}?`;
  }
  return s;
}

/** A defined symbol at most two edits away: a typo, not a different option. */
function nearestDefined(name: string, tree: KconfigTree): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const [other, sym] of tree.symbols) {
    if (sym.menus.length === 0 || Math.abs(other.length - name.length) >= bestDistance) continue;
    const d = editDistance(name, other, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [other, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...cur) >= limit) return limit;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The one-line why. */
function reasonFor(ev: Evaluation, sym: KSymbol, e: Explanation, requested: string | undefined): string {
  const value = e.value ?? (isBool(sym) ? 'n' : '(not written)');
  if (requested !== undefined && sameValue(requested, e.value)) return `as requested (${value})`;
  if (sym.transitional) return transitionalReason(ev, sym);
  if (sym.choice) return choiceReason(ev, sym, e, value);
  return isBool(sym) ? boolReason(ev, sym, e, value, requested) : valueReason(ev, sym, e, value);
}

/** A renamed option's old name: the kernel reads it once to seed the new name's default, and never writes it. */
function transitionalReason(ev: Evaluation, sym: KSymbol): string {
  const successors = ev.tree.all.filter((s) => s.props.some((p) => p.kind === 'default' && p.expr?.t === 'sym' && p.expr.s === sym));
  const names = successors.map((s) => `${s.name} (${at(s.props.find((p) => p.kind === 'default')!)})`).join(', ');
  return `transitional: Linux ${ev.tree.series} only reads it from an old .config to seed the default of ${names || 'its successor'}, and never writes it; ask for the new name`;
}

function choiceReason(ev: Evaluation, sym: KSymbol, e: Explanation, value: string): string {
  const choice = e.choice!;
  if (ev.state(sym).visible === 0) {
    const unmet = unmetTerms(ev, sym.props.find((p) => p.text !== undefined)?.cond);
    return `an option of the choice at ${choice.at} whose prompt is hidden: needs ${unmet.map((t) => show(ev, t)).join(' && ')}`;
  }
  return value === 'y'
    ? `chosen in the choice at ${choice.at}`
    : `an option of the choice at ${choice.at}: ${choice.chosen ?? 'another option'} is chosen instead`;
}

function boolReason(ev: Evaluation, sym: KSymbol, e: Explanation, value: string, requested: string | undefined): string {
  const st = ev.state(sym);
  const user = ev.userValue(sym);
  const prompt = sym.props.find((p) => p.text !== undefined);
  const hidden = prompt
    ? `its prompt is hidden: needs ${unmetTerms(ev, prompt.cond).map((t) => show(ev, t)).join(' && ')} (${at(prompt)})`
    : 'not user-settable (no prompt)';
  const ignored = user !== undefined && st.visible === 0 ? `, so the input's ${user} is ignored` : '';
  const byDefault = e.defaultApplied ? `default ${e.defaultApplied.value} (${e.defaultApplied.at})` : 'no default applies';
  const implied = e.impliedBy.filter((r) => r.value !== 'n');
  if (value === 'n') {
    if (e.dependsOn?.value === 'n') {
      return `unmet dependency: depends on ${e.dependsOn.expr}; false: ${e.dependsOn.unmet.join(', ')} (${e.definitions[0]!.at})`;
    }
    if (!prompt && sym.probed) return `${probeHow(sym)}: n with this toolchain`;
    if (!prompt) {
      return e.selectedBy.length
        ? `not user-settable (no prompt): only select turns it on, and no selector is active (${e.selectedBy.map((r) => r.by).slice(0, 5).join(', ')})`
        : `not user-settable (no prompt): ${byDefault}`;
    }
    if (st.visible === 0) return `${hidden}${ignored}`;
    if (user === 'n') {
      return ev.fromAllnoconfig(sym)
        ? 'user-settable, and allnoconfig turns off every option the fragment does not set'
        : 'set to n by the input configuration';
    }
    return byDefault;
  }
  const selected = e.selectedBy.filter((r) => r.value !== 'n');
  if (selected.length) return `forced by select from ${selected.map((r) => `${r.by} (${r.at})`).join(', ')}`;
  if (requested === 'y' && value === 'm') {
    return st.dependsOn === 1 ? `limited to m: depends on ${e.dependsOn!.expr}` : "limited to m by its prompt's condition";
  }
  if (requested === 'm' && value === 'y') return sym.type === 'bool' ? 'a bool: m becomes y' : 'MODULES is off: m becomes y';
  if (!prompt && sym.probed) return `${probeHow(sym)}: ${value} with this toolchain`;
  if (st.visible === 0) {
    if (implied.length) return `${hidden}${ignored}; implied by ${implied.map((r) => `${r.by} (${r.at})`).join(', ')}`;
    return `${hidden}${ignored}: ${byDefault}`;
  }
  if (user !== undefined) return `set to ${user} by the input configuration`;
  if (implied.length) return `implied by ${implied.map((r) => `${r.by} (${r.at})`).join(', ')} (the input does not set it)`;
  return byDefault;
}

function valueReason(ev: Evaluation, sym: KSymbol, e: Explanation, value: string): string {
  const st = ev.state(sym);
  const user = ev.userValue(sym);
  if (e.value === undefined) {
    return e.dependsOn?.value === 'n'
      ? `not written: unmet dependency: depends on ${e.dependsOn.expr}; false: ${e.dependsOn.unmet.join(', ')}`
      : 'not written: no visible prompt and no default';
  }
  const byDefault = e.defaultApplied ? `default ${e.defaultApplied.value} (${e.defaultApplied.at})` : 'no default';
  if (st.visible === 0 && sym.probed) return `${probeHow(sym)}: ${value} with this toolchain`;
  if (st.visible === 0) {
    const ignored = user !== undefined ? `; the input's ${user} is ignored` : '';
    return `not user-settable here (no visible prompt)${ignored}: ${byDefault}`;
  }
  if (user !== undefined && e.range && !sameValue(user, ev.stringValue(sym))) {
    return `${user} is outside the range ${e.range.low}..${e.range.high} (${e.range.at}): clamped to ${value}`;
  }
  if (user !== undefined) return 'set by the input configuration';
  return byDefault;
}

// ---- text --------------------------------------------------------------------------

function renderSteps(steps: Step[], indent: string, out: string[]): void {
  for (const s of steps) {
    out.push(`${indent}${s.symbol} [=${s.value}] must be ${s.needs}: ${s.how}`);
    renderSteps(s.then, `${indent}  `, out);
  }
}

/** The explanation as text (what `capsem-kernel explain SYMBOL` prints). */
export function renderExplanation(e: Explanation): string {
  const out: string[] = [];
  const where = `Linux ${e.kernel}${e.arch ? ` ${e.arch}` : ''}`;
  if (!e.defined) {
    out.push(`CONFIG_${e.symbol}: not defined in ${where}`);
    out.push(`  why: ${e.reason}`);
    return out.join('\n') + '\n';
  }
  const req = e.requested !== undefined ? ` (requested ${e.requested})` : '';
  const value = e.value ?? (e.type === 'bool' || e.type === 'tristate' ? 'n (absent from .config)' : '(not written)');
  out.push(`CONFIG_${e.symbol}: ${e.type} = ${value}${req}, ${where}`);
  if (e.policyName?.name) out.push(`  the policy knows it as ${e.policyName.name} in Linux ${e.kernel}`);
  for (const d of e.definitions) {
    out.push(`  defined at ${d.at}${d.prompt !== undefined ? `, prompt "${d.prompt}"` : ', no prompt'}`);
  }
  out.push(`  visible: ${e.visible}`);
  if (e.dependsOn && e.dependsOn.expr !== 'y') {
    out.push(`  depends on [${e.dependsOn.value}]: ${e.dependsOn.expr}`);
    if (e.dependsOn.unmet.length) out.push(`    unmet: ${e.dependsOn.unmet.join(', ')}`);
  }
  if (e.choice) out.push(`  choice at ${e.choice.at}${e.choice.prompt ? ` "${e.choice.prompt}"` : ''}: ${e.choice.chosen ?? 'nothing'} chosen`);
  for (const [title, list] of [
    ['selected by', e.selectedBy],
    ['implied by', e.impliedBy],
  ] as const) {
    for (const v of ['y', 'm', 'n'] as const) {
      const rs = list.filter((r) => r.value === v);
      if (!rs.length) continue;
      // Inactive ones matter less: a name list once there are more than a few.
      if (v === 'n' && rs.length > 3) {
        const names = [...new Set(rs.map((r) => r.by))];
        out.push(`  ${title} [n]: ${rs.length} inactive: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}`);
        continue;
      }
      out.push(`  ${title} [${v}]:`);
      for (const r of rs.slice(0, 12)) out.push(`    - ${r.expr} (${r.at})`);
      if (rs.length > 12) out.push(`    - ... ${rs.length - 12} more`);
    }
  }
  if (e.defaultApplied) {
    out.push(`  default: ${e.defaultApplied.value}${e.defaultApplied.cond ? ` if ${e.defaultApplied.cond}` : ''} (${e.defaultApplied.at})`);
  }
  if (e.range) out.push(`  range: ${e.range.low} ${e.range.high} (${e.range.at})`);
  out.push(`  why: ${e.reason}`);
  if (e.chain.length && e.chain[0]!.then.length) {
    out.push('  to change it:');
    renderSteps(e.chain[0]!.then, '    ', out);
  }
  return out.join('\n') + '\n';
}

// ---- for the build's survival check and the CLI -------------------------------------------

/** Evaluations of final configurations, per tree, so that N casualties cost one evaluation. */
const evaluations = new WeakMap<KconfigTree, WeakMap<ReadonlyMap<string, string>, Evaluation>>();

/** The final .config, re-read through the engine (a kernel-written .config is a fixed point). */
function evaluationOf(tree: KconfigTree, finalConfig: ReadonlyMap<string, string> | Evaluation): Evaluation {
  if (finalConfig instanceof Evaluation) return finalConfig;
  let perTree = evaluations.get(tree);
  if (!perTree) evaluations.set(tree, (perTree = new WeakMap()));
  let ev = perTree.get(finalConfig);
  if (!ev) perTree.set(finalConfig, (ev = evaluate(tree, { mode: 'olddefconfig', config: [...finalConfig] })));
  return ev;
}

/**
 * One line saying why `symbol`, requested as `requested`, is not what the
 * final configuration has: unknown symbol (and the policy's other name for it),
 * unmet dependency (the expression and its false terms), forced by select, ...
 * `finalConfig` is the final .config's values (symbol without CONFIG_ -> value).
 */
export function explainCasualty(opts: {
  tree: KconfigTree;
  finalConfig: ReadonlyMap<string, string> | Evaluation;
  symbol: string;
  requested: string;
}): string {
  const ev = evaluationOf(opts.tree, opts.finalConfig);
  const e = explainSymbol(ev, opts.symbol, opts.requested);
  const chain = e.chain[0]?.then ?? [];
  const leaf = firstSettable(chain);
  return leaf ? `${e.reason}; to fix: ${leaf.how.replace(/^user-settable \("[^"]*"\): /, '')}` : e.reason;
}

function firstSettable(steps: Step[]): Step | undefined {
  for (const s of steps) {
    if (s.settable) return s;
    const deeper = firstSettable(s.then);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Requested lines of a fragment that the final configuration does not have, each with its reason. */
export function missingOptions(
  tree: KconfigTree,
  fragment: readonly Assignment[],
  finalConfig: ReadonlyMap<string, string> | Evaluation,
): { symbol: string; requested: string; final?: string; reason: string }[] {
  const ev = evaluationOf(tree, finalConfig);
  const requests = fragment.map(([symbol, value]) => ({ symbol, value }));
  return unmetRequests(requests, ev.values(), (s) => isDefinedIn(tree, s)).map(({ request: { symbol, value: requested }, final }) => ({
    symbol,
    requested,
    ...(final !== undefined ? { final } : {}),
    reason: explainCasualty({ tree, finalConfig: ev, symbol, requested }),
  }));
}

/**
 * Enabled options a user switched on (visible prompt, y or m) that nothing
 * selects and nobody asked for: candidates to switch off. `requested` are the
 * symbols the policy asks to be on. Options a requested one depends on are
 * counted apart: switching them off would drop the request.
 */
export function unneededOptions(
  ev: Evaluation,
  requested: ReadonlySet<string>,
): { unneeded: { symbol: string; value: string; prompt?: string; at: string }[]; dependencies: string[] } {
  const tree = ev.tree;
  const needed = new Set<KSymbol>();
  const addDeps = (s: KSymbol) => {
    for (const m of s.menus) {
      for (const t of positiveSymbols(m.dep)) {
        if (needed.has(t)) continue;
        needed.add(t);
        addDeps(t);
      }
    }
  };
  for (const name of requested) {
    const s = tree.symbols.get(name);
    if (s) addDeps(s);
  }
  const unneeded: { symbol: string; value: string; prompt?: string; at: string }[] = [];
  const dependencies: string[] = [];
  for (const s of tree.symbols.values()) {
    if (!s.menus.length || !isBool(s) || s.choice || requested.has(s.name!)) continue;
    const v = ev.tristate(s);
    const st = ev.state(s);
    if (v === 0 || st.visible === 0 || st.selected !== 0) continue;
    if (needed.has(s)) {
      dependencies.push(s.name!);
      continue;
    }
    const prompt = promptText(s);
    unneeded.push({ symbol: s.name!, value: triName(v as Tristate), ...(prompt ? { prompt } : {}), at: at(s.menus[0]!) });
  }
  unneeded.sort((a, b) => a.symbol.localeCompare(b.symbol));
  return { unneeded, dependencies: dependencies.sort() };
}

/** Symbols an expression needs on (not under a `!`). */
function positiveSymbols(e: Expr | undefined, out: KSymbol[] = []): KSymbol[] {
  if (!e) return out;
  switch (e.t) {
    case 'sym':
      if (!e.s.isConst) out.push(e.s);
      break;
    case 'and':
    case 'or':
      positiveSymbols(e.a, out);
      positiveSymbols(e.b, out);
      break;
    case 'cmp':
      if (!e.l.isConst && e.r.isConst && ((e.op === '=' && e.r.name !== 'n') || (e.op === '!=' && e.r.name === 'n'))) out.push(e.l);
      break;
    case 'not':
      break;
  }
  return out;
}
