import { defineCommand } from '../command.ts';
import {
  CHECKS,
  conditionText,
  DEFAULT_KERNEL,
  FEATURES,
  RULES,
  SECTIONS,
  symbolFor,
  resolveRule,
  type KernelSeries,
  type Rule,
  type Section,
} from '../../policy/index.ts';
import { requireKernel, TARGET_ARGS } from '../args.ts';

function subject(rule: Rule, kernel: KernelSeries): string {
  if (rule.kind === 'cmdline') return rule.param;
  if (rule.kind === 'guest') return '(guest)';
  if (rule.kind === 'cmdline-contract') return '(command line)';
  const s = symbolFor(rule.symbol, kernel);
  return 'name' in s ? s.name : '(absent)';
}

export default defineCommand({
  name: 'policy',
  summary: 'List the policy: rules, waivers, required features, doctor checks',
  description: `
Lists every rule by section with its symbol or parameter, value and how it is
verified, then the required features and the doctor checks. With --arch, each
rule also shows how it resolves for that target (enforced, waived, not applicable).`,
  args: {
    ...TARGET_ARGS,
    arch: { ...TARGET_ARGS.arch, description: 'Resolve every rule for this arch' },
    json: { type: 'boolean', description: 'Print the policy as JSON' },
  },
  examples: ['capsem-kernel policy', 'capsem-kernel policy --arch arm64 --kernel 6.1', 'capsem-kernel policy --json'],
  run({ args, io }) {
    const kernel = requireKernel(args.kernel, 'policy', io);
    const target = args.arch
      ? { arch: args.arch, kernel, toolchain: args.toolchain }
      : undefined;
    if (args.json) {
      const rules = RULES.map((r) => (target ? { ...r, resolution: resolveRule(r, target) } : r));
      io.stdout(JSON.stringify({ ...(target ? { target } : {}), rules, features: FEATURES, checks: CHECKS }, null, 2) + '\n');
      return 0;
    }
    const out: string[] = [];
    for (const [section, title] of Object.entries(SECTIONS) as [Section, string][]) {
      out.push(`${title}`);
      for (const r of RULES.filter((x) => x.section === section)) {
        const value = r.kind === 'kconfig' ? r.value : r.kind === 'cmdline' ? (typeof r.value === 'object' ? JSON.stringify(r.value) : String(r.value)) : '';
        const res = target ? resolveRule(r, target) : undefined;
        const status = res ? res.status.toUpperCase().padEnd(15) : '';
        const how = r.checks?.length ? r.checks.join(', ') : 'host audit';
        out.push(`  ${status}${r.id.padEnd(36)} ${`${subject(r, target?.kernel ?? DEFAULT_KERNEL)}`.padEnd(40)} ${value.padEnd(6)} ${how}`.trimEnd());
        if (res && res.status !== 'enforced') out.push(`  ${''.padEnd(15)}  ${res.reason}`);
        else if (!res) for (const w of r.waivers ?? []) out.push(`      waived${w.when ? ` (${conditionText(w.when)})` : ''}: ${w.reason}`);
      }
      out.push('');
    }
    out.push('Required features');
    for (const f of FEATURES) out.push(`  ${f.id.padEnd(20)} ${f.archs ? `[${f.archs.join(', ')}] ` : ''}${f.title}`);
    out.push('', 'Doctor checks');
    for (const c of CHECKS) out.push(`  ${c.name.padEnd(36)} ${c.proves}`);
    io.stdout(out.join('\n') + '\n');
    return 0;
  },
});
