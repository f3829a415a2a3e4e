import { type Arch, DEFAULT_TOOLCHAIN, type RuleId, type Toolchain } from '../policy/index.ts';

// The two kernels a proof boots, as data. The proving kernel is the policy
// plus only what LKDTM needs; its audit may differ from the shipped kernel's
// in exactly the listed ways. The weakened proving kernel adds, per proved
// rule, that mitigation switched off: the negative controls run on it.

/** LKDTM depends on DEBUG_FS (lib/Kconfig.debug), which sits under RUNTIME_TESTING_MENU. */
export const PROVING_ADDITIONS: readonly string[] = ['CONFIG_DEBUG_FS=y', 'CONFIG_RUNTIME_TESTING_MENU=y', 'CONFIG_LKDTM=y'];

/** The only audit failures the proving kernel may have (the policy forbids debugfs). */
export const ALLOWED_AUDIT_FAILURES: readonly RuleId[] = ['no-debugfs'];

/**
 * The only symbols whose final value may differ from the shipped kernel's:
 * the additions and what kbuild derives from them (DEBUG_FS_ALLOW_ALL is the
 * default of debugfs's access choice).
 */
export const ALLOWED_CONFIG_DIFFERENCES: readonly string[] = ['DEBUG_FS', 'DEBUG_FS_ALLOW_ALL', 'RUNTIME_TESTING_MENU', 'LKDTM'];

/**
 * The boot-parameter route (drivers/misc/lkdtm/core.c): with cpoint_name=DIRECT the
 * test runs at LKDTM's initcall, before init, with no debugfs access (which the
 * policy's lockdown would refuse anyway).
 */
export function lkdtmCmdline(test: string): string[] {
  return ['lkdtm.cpoint_name=DIRECT', `lkdtm.cpoint_type=${test}`];
}

export interface Weakening {
  rule: RuleId;
  /** Default: every arch. */
  archs?: readonly Arch[];
  /** Default: every toolchain (a control for a claim only one toolchain makes). */
  toolchains?: readonly Toolchain[];
  /** Fragment lines applied after the policy's and the proving additions. */
  lines?: readonly string[];
  /** Command-line tokens appended to the policy's (the kernel keeps the last value). */
  cmdline?: readonly string[];
}

export const WEAKENINGS: readonly Weakening[] = [
  { rule: 'vmap-stack', lines: ['# CONFIG_VMAP_STACK is not set'] },
  { rule: 'stackprotector-strong', lines: ['# CONFIG_STACKPROTECTOR_STRONG is not set'] },
  { rule: 'slab-freelist-hardened', lines: ['# CONFIG_SLAB_FREELIST_HARDENED is not set'] },
  { rule: 'fortify-source', lines: ['# CONFIG_FORTIFY_SOURCE is not set'] },
  // BUG_ON_DATA_CORRUPTION selects LIST_HARDENED.
  { rule: 'list-hardened', lines: ['# CONFIG_LIST_HARDENED is not set', '# CONFIG_BUG_ON_DATA_CORRUPTION is not set'] },
  { rule: 'ubsan-bounds', lines: ['# CONFIG_UBSAN_BOUNDS is not set'] },
  { rule: 'init-on-alloc', cmdline: ['init_on_alloc=0'] },
  { rule: 'init-on-free', cmdline: ['init_on_free=0'] },
  // Return addresses go unsigned: CORRUPT_PAC's key change and CFI_BACKWARD's rewrite go unnoticed.
  { rule: 'arm64-ptr-auth-kernel', archs: ['arm64'], lines: ['# CONFIG_ARM64_PTR_AUTH_KERNEL is not set'] },
  // clang only: gcc cannot build kCFI, and its weakened fragments keep their bytes (build cache keys).
  // x86_64: cfi=off makes the kernel patch every caller's kCFI check out at boot (alternative.c
  // __apply_fineibt, "Disabling CFI"): the same binary with the checks gone. arm64 has no cfi=.
  { rule: 'cfi-clang', archs: ['x86_64'], toolchains: ['clang'], cmdline: ['cfi=off'] },
  { rule: 'cfi-clang', archs: ['arm64'], toolchains: ['clang'], lines: ['# CONFIG_CFI_CLANG is not set'] },
  // With PAC already off above, no return-address protection is left (cfi.c checks for either).
  { rule: 'arm64-shadow-call-stack', archs: ['arm64'], toolchains: ['clang'], lines: ['# CONFIG_SHADOW_CALL_STACK is not set'] },
];

export function weakeningsFor(arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): Weakening[] {
  return WEAKENINGS.filter((w) => (!w.archs || w.archs.includes(arch)) && (!w.toolchains || w.toolchains.includes(toolchain)));
}

// No comment lines: the build cache keys an extra fragment by its bytes, so these stay byte-stable
// (x86_64's weakened fragment is the same bytes as before arm64's control was added).
export function provingFragment(): string {
  return [...PROVING_ADDITIONS, ''].join('\n');
}

export function weakenedFragment(arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): string {
  return [...PROVING_ADDITIONS, ...weakeningsFor(arch, toolchain).flatMap((w) => w.lines ?? []), ''].join('\n');
}

export function weakenedCmdline(arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): string[] {
  return weakeningsFor(arch, toolchain).flatMap((w) => w.cmdline ?? []);
}

/**
 * Whether the controls of these rules need the weakened kernel: some control turns a config option off.
 * When every one is a command-line token, the controls boot the proving kernel itself with the tokens
 * (the same binary, one compile fewer: e.g. `prove --toolchain clang --only CFI_FORWARD_PROTO` on x86_64).
 */
export function needsWeakenedKernel(rules: readonly RuleId[], arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): boolean {
  return weakeningsFor(arch, toolchain).some((w) => rules.includes(w.rule) && (w.lines?.length ?? 0) > 0);
}

/**
 * The ways the proving kernel's final .config differs from the shipped one's
 * beyond the allowed set (empty: the mitigations under test are identical).
 */
export function unexpectedDifferences(shipped: ReadonlyMap<string, string>, proving: ReadonlyMap<string, string>): string[] {
  const symbols = new Set([...shipped.keys(), ...proving.keys()]);
  return [...symbols]
    .filter((s) => (shipped.get(s) ?? 'n') !== (proving.get(s) ?? 'n') && !ALLOWED_CONFIG_DIFFERENCES.includes(s))
    .sort()
    .map((s) => `CONFIG_${s}: shipped ${shipped.get(s) ?? 'n'}, proving ${proving.get(s) ?? 'n'}`);
}
