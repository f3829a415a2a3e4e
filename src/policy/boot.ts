import { type Arch, type CmdlineRule, DEFAULT_KERNEL, type KernelVersion, resolveRule } from './define.ts';
import { RULES } from './rules.ts';

/** The value a cmdline rule asks for on one arch: `true` for a bare flag. */
export function cmdlineValue(rule: CmdlineRule, arch: Arch): true | string {
  const v = rule.value;
  return v === true || typeof v === 'string' ? v : v[arch];
}

/** The boot command line the policy requires, in policy order (console first). */
export function cmdlineFor(arch: Arch, kernel: KernelVersion = DEFAULT_KERNEL): string {
  const parts: string[] = [];
  for (const rule of RULES) {
    if (rule.kind !== 'cmdline') continue;
    // Toolchain does not matter for command line rules.
    if (resolveRule(rule, { arch, kernel, toolchain: 'gcc' }).status !== 'enforced') continue;
    const v = cmdlineValue(rule, arch);
    parts.push(v === true ? rule.param : `${rule.param}=${v}`);
  }
  return parts.join(' ');
}
