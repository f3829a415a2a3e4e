// The one line of why: as requested, transitional, a choice, a bool's dependency,
// select, imply or default, a value's range; and for an unknown name, the policy's
// other name for it or the nearest defined one.

import type { Evaluation } from '../evaluate.ts';
import type { KSymbol } from '../symbol.ts';
import type { KconfigTree } from '../tree.ts';
import { sameValue } from '../compare.ts';
import { at, type Explanation, isBool, probeHow, show, unmetTerms } from './model.ts';
import { nearestDefined } from './suggest.ts';

export function unknownReason(e: Explanation, tree: KconfigTree): string {
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

/** The one-line why. */
export function reasonFor(ev: Evaluation, sym: KSymbol, e: Explanation, requested: string | undefined): string {
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

