import { type ParsedCmdline, normalizeParamName, parseCmdline } from './cmdline.ts';
import { type Arch, type CmdlineRule, DEFAULT_KERNEL, type KernelSeries, resolveRule } from './define.ts';
import { RULES } from './rules.ts';

/** The value a cmdline rule asks for on one arch: `true` for a bare flag. */
export function cmdlineValue(rule: CmdlineRule, arch: Arch): true | string {
  const v = rule.value;
  return v === true || typeof v === 'string' ? v : v[arch];
}

/** `of` computed once per target: the doctor asks for the policy's line from several checks, and QuickJS parses it char by char. */
function perTarget<T>(of: (arch: Arch, kernel: KernelSeries) => T): (arch: Arch, kernel?: KernelSeries) => T {
  const memo = new Map<string, T>();
  return (arch, kernel = DEFAULT_KERNEL) => {
    const key = `${arch} ${kernel}`;
    if (!memo.has(key)) memo.set(key, of(arch, kernel));
    return memo.get(key)!;
  };
}

/** The boot command line the policy requires, in policy order (console first). */
export const cmdlineFor = perTarget(policyCmdlineOf);

/** The same line, parsed. */
export const parsedPolicyCmdline = perTarget((arch, kernel) => parseCmdline(cmdlineFor(arch, kernel)));

function policyCmdlineOf(arch: Arch, kernel: KernelSeries): string {
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

/**
 * How one cmdline rule stands on a parsed command line, read the kernel's way:
 * the last value of the parameter counts, and a bare flag is undone by a later
 * flag that cancels it (`ro ... rw`). `actual` says what the kernel ends up with.
 */
export function cmdlineVerdict(
  rule: CmdlineRule,
  parsed: ParsedCmdline,
  arch: Arch,
): { holds: boolean; actual: string } {
  const want = cmdlineValue(rule, arch);
  const got = parsed.get(rule.param);
  if (got === undefined) return { holds: false, actual: '(absent)' };
  if (got !== true) return { holds: got === want, actual: `${rule.param}=${got}` };
  const index = (key: string) => parsed.tokens.findLastIndex((t) => normalizeParamName(t.key) === normalizeParamName(key));
  const last = index(rule.param);
  const canceller = (rule.cancelledBy ?? []).find((c) => index(c) > last);
  if (canceller) return { holds: false, actual: `${rule.param}, then ${canceller} (which wins)` };
  return { holds: want === true, actual: rule.param };
}
