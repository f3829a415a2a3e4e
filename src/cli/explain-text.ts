// `capsem-kernel explain`'s text: an Explanation, the fragment check's misses and the unneeded options (src/kconfig/explain) as lines.

import type { Explanation, missingOptions, Step, unneededOptions } from '../kconfig/explain.ts';

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

/** `explain --missing`: one line per requested line the configuration does not have. */
export function renderMissing(missing: ReturnType<typeof missingOptions>, fragmentFile: string, lines: number): string {
  if (!missing.length) return `every line of ${fragmentFile} survived (${lines} lines)\n`;
  return missing.map((m) => `CONFIG_${m.symbol}=${m.requested} -> ${m.final ?? '(absent)'}: ${m.reason}\n`).join('');
}

/** `explain --unneeded`: the candidates to switch off. */
export function renderUnneeded(r: ReturnType<typeof unneededOptions>, where: string): string {
  return [
    `Enabled options nothing selects and neither the policy nor a required feature asked for (${where}):`,
    ...r.unneeded.map((u) => `  CONFIG_${u.symbol}=${u.value}${u.prompt ? `  "${u.prompt}"` : ''}  (${u.at})`),
    `${r.unneeded.length} candidates to switch off; ${r.dependencies.length} more are dependencies of requested options (kept).`,
  ].join('\n') + '\n';
}
