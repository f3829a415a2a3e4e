// The checked-in list of outside recommendations the policy answers: the KSPP
// "Recommended Settings" (Kconfig, command line, sysctls) for x86_64 and arm64
// and the kernel's own hardening.config fragments. Every item must be met by a
// rule (enforced with this value) or answered by a waiver or an absent-symbol
// span (test/policy/kspp.test.ts), so the next revision is a diff of this file.

import { cmdlineValue } from './boot.ts';
import { normalizeParamName } from './cmdline.ts';
import { ARCHS, type Arch, appliesToArch, KERNELS, type KernelVersion, type Rule, resolveRule, symbolNames, TOOLCHAINS, type Toolchain } from './define.ts';
import { RULES } from './rules.ts';

export const KSPP_REVISIONS = {
  'kspp-058b262f': {
    title: 'KSPP Recommended Settings, KSPP/kspp.github.io Recommended_Settings.md at commit 058b262f',
    link: 'https://kspp.github.io/Recommended_Settings',
    date: 'undated in the copy read (the commit carries no date here); read line by line, x86_64 and arm64 sections',
  },
  'kspp-2026-07': {
    title: 'KSPP Recommended Settings as of 2026-07-12: the items added since 058b262f',
    link: 'https://kspp.github.io/Recommended_Settings',
    date:
      '2026-07-12; not read in full: these are the additions issue #19 names and a downstream review of the page on ' +
      'that date quotes. The next full read replaces both KSPP revisions with one',
  },
  'linux-6.12': {
    title: 'kernel/configs/hardening.config, arch/x86/configs/hardening.config, arch/arm64/configs/hardening.config (Debian linux-source-6.12)',
    link: 'https://docs.kernel.org/admin-guide/kernel-parameters.html',
    date: 'Linux 6.12 (6.1 has no hardening.config: it came in 6.2)',
  },
  'linux-7.3': {
    title: 'the same fragments in Debian linux-source-7.3 (7.3.4-1~bpo13+1): only what changed since 6.12',
    link: 'https://docs.kernel.org/admin-guide/kernel-parameters.html',
    date: 'Linux 7.3',
  },
} as const;
export type KsppRevision = keyof typeof KSPP_REVISIONS;

export interface Recommendation {
  /** As the source writes it: a Kconfig symbol without CONFIG_, a boot parameter, or a sysctl name. */
  item: string;
  kind: 'kconfig' | 'cmdline' | 'sysctl';
  archs: readonly Arch[];
  /** .config spelling for kconfig (`n` for "is not set"), `true` for a bare boot flag. */
  expected: string | true;
  source: 'kspp' | 'kernel-hardening-config';
  revision: KsppRevision;
}

const BOTH = ARCHS;
const X86: readonly Arch[] = ['x86_64'];
const ARM: readonly Arch[] = ['arm64'];

type Row = readonly [item: string, expected: string | true, archs?: readonly Arch[]];
const rows = (kind: Recommendation['kind'], source: Recommendation['source'], revision: KsppRevision, list: readonly Row[]): Recommendation[] =>
  list.map(([item, expected, archs]) => ({ item, kind, archs: archs ?? BOTH, expected, source, revision }));

export const RECOMMENDATIONS: readonly Recommendation[] = [
  // ---- KSPP, the CONFIGs section (every arch) -------------------------------------------
  ...rows('kconfig', 'kspp', 'kspp-058b262f', [
    ['BUG', 'y'], ['STRICT_KERNEL_RWX', 'y'], ['DEBUG_WX', 'y'], ['STACKPROTECTOR', 'y'], ['STACKPROTECTOR_STRONG', 'y'],
    ['DEVMEM', 'n'], ['STRICT_DEVMEM', 'y'], ['IO_STRICT_DEVMEM', 'y'], ['SYN_COOKIES', 'y'],
    ['LIST_HARDENED', 'y'], ['DEBUG_CREDENTIALS', 'y'], ['DEBUG_NOTIFIERS', 'y'], ['DEBUG_LIST', 'y'], ['DEBUG_SG', 'y'],
    ['DEBUG_VIRTUAL', 'y'], ['BUG_ON_DATA_CORRUPTION', 'y'], ['SCHED_STACK_END_CHECK', 'y'],
    ['SECCOMP', 'y'], ['SECCOMP_FILTER', 'y'], ['LDISC_AUTOLOAD', 'n'],
    ['SECURITY', 'y'], ['SECURITY_YAMA', 'y'], ['SECURITY_LANDLOCK', 'y'],
    ['SECURITY_SELINUX_BOOTPARAM', 'n'], ['SECURITY_SELINUX_DEVELOP', 'n'], ['SECURITY_SELINUX_DEBUG', 'n'], ['SECURITY_WRITABLE_HOOKS', 'n'],
    ['SECURITY_LOCKDOWN_LSM', 'y'], ['SECURITY_LOCKDOWN_LSM_EARLY', 'y'], ['LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY', 'y'],
    ['HARDENED_USERCOPY', 'y'], ['HARDENED_USERCOPY_FALLBACK', 'n'], ['HARDENED_USERCOPY_PAGESPAN', 'n'],
    ['SLAB_FREELIST_RANDOM', 'y'], ['SLAB_FREELIST_HARDENED', 'y'], ['RANDOM_KMALLOC_CACHES', 'y'], ['SLAB_MERGE_DEFAULT', 'n'],
    ['SHUFFLE_PAGE_ALLOCATOR', 'y'], ['PAGE_TABLE_CHECK', 'y'], ['PAGE_TABLE_CHECK_ENFORCED', 'y'], ['SLUB_DEBUG', 'y'],
    ['PAGE_POISONING', 'y'], ['PAGE_POISONING_NO_SANITY', 'y'], ['PAGE_POISONING_ZERO', 'y'],
    ['INIT_ON_ALLOC_DEFAULT_ON', 'y'], ['INIT_ON_FREE_DEFAULT_ON', 'y'], ['INIT_STACK_ALL_ZERO', 'y'], ['VMAP_STACK', 'y'],
    ['REFCOUNT_FULL', 'y'], ['FORTIFY_SOURCE', 'y'], ['SECURITY_DMESG_RESTRICT', 'y'],
    ['UBSAN', 'y'], ['UBSAN_TRAP', 'y'], ['UBSAN_BOUNDS', 'y'], ['UBSAN_SANITIZE_ALL', 'y'],
    ['UBSAN_SHIFT', 'n'], ['UBSAN_DIV_ZERO', 'n'], ['UBSAN_UNREACHABLE', 'n'], ['UBSAN_BOOL', 'n'], ['UBSAN_ENUM', 'n'],
    ['UBSAN_ALIGNMENT', 'n'], ['UBSAN_LOCAL_BOUNDS', 'y'],
    ['KFENCE', 'y'], ['KFENCE_SAMPLE_INTERVAL', '100'], ['RANDOMIZE_KSTACK_OFFSET_DEFAULT', 'y'], ['WERROR', 'y'],
    ['EFI_DISABLE_PCI_DMA', 'y'], ['IOMMU_SUPPORT', 'y'], ['IOMMU_DEFAULT_DMA_STRICT', 'y'], ['IOMMU_DEFAULT_PASSTHROUGH', 'n'],
    ['HW_RANDOM_TPM', 'y'], ['RANDOM_TRUST_BOOTLOADER', 'y'], ['RANDOM_TRUST_CPU', 'y'], ['RANDSTRUCT_FULL', 'y'],
    ['SCHED_CORE', 'y'], ['ZERO_CALL_USED_REGS', 'y'], ['RESET_ATTACK_MITIGATION', 'y'], ['STATIC_USERMODEHELPER', 'y'],
    ['ACPI_CUSTOM_METHOD', 'n'], ['COMPAT_BRK', 'n'], ['DEVKMEM', 'n'], ['PROC_KCORE', 'n'], ['COMPAT_VDSO', 'n'], ['KEXEC', 'n'],
    ['HIBERNATION', 'n'], ['INET_DIAG', 'n'], ['BINFMT_MISC', 'n'], ['LEGACY_PTYS', 'n'], ['LEGACY_TIOCSTI', 'n'],
    ['SECURITY_SELINUX_DISABLE', 'n'], ['PANIC_ON_OOPS', 'y'], ['PANIC_TIMEOUT', '-1'], ['MAGIC_SYSRQ_DEFAULT_ENABLE', '176'],
    ['MODULES', 'n'], ['STRICT_MODULE_RWX', 'y'], ['MODULE_SIG', 'y'], ['MODULE_SIG_FORCE', 'y'], ['MODULE_SIG_ALL', 'y'],
    ['MODULE_SIG_SHA512', 'y'], ['MODULE_SIG_HASH', '"sha512"'], ['MODULE_SIG_KEY', '"certs/signing_key.pem"'], ['MODULE_FORCE_LOAD', 'n'],
    // "GCC plugins"
    ['GCC_PLUGINS', 'y'], ['GCC_PLUGIN_LATENT_ENTROPY', 'y'], ['GCC_PLUGIN_STRUCTLEAK', 'y'], ['GCC_PLUGIN_STRUCTLEAK_BYREF_ALL', 'y'],
    ['GCC_PLUGIN_STACKLEAK', 'y'], ['STACKLEAK_METRICS', 'n'], ['STACKLEAK_RUNTIME_DISABLE', 'n'],
    // "x86_64"
    ['X86_64', 'y', X86], ['DEFAULT_MMAP_MIN_ADDR', '65536', X86], ['X86_MSR', 'n', X86], ['RANDOMIZE_BASE', 'y', X86],
    ['RANDOMIZE_MEMORY', 'y', X86], ['X86_VSYSCALL_EMULATION', 'n', X86], ['LEGACY_VSYSCALL_NONE', 'y', X86],
    ['MITIGATION_PAGE_TABLE_ISOLATION', 'y', X86], ['X86_KERNEL_IBT', 'y', X86], ['X86_USER_SHADOW_STACK', 'y', X86],
    ['COMPAT', 'n', X86], ['IA32_EMULATION', 'n', X86], ['X86_X32', 'n', X86], ['X86_X32_ABI', 'n', X86], ['MODIFY_LDT_SYSCALL', 'n', X86],
    ['INTEL_IOMMU', 'y', X86], ['INTEL_IOMMU_DEFAULT_ON', 'y', X86], ['INTEL_IOMMU_SVM', 'y', X86], ['AMD_IOMMU', 'y', X86],
    ['AMD_IOMMU_V2', 'y', X86], ['MITIGATION_SLS', 'y', X86], ['CFI_CLANG', 'y', X86], ['CFI_PERMISSIVE', 'n', X86],
    // "arm64" (its DEFAULT_MMAP_MIN_ADDR=32768 is superseded by the 2026-07 revision below)
    ['RANDOMIZE_BASE', 'y', ARM], ['COMPAT', 'n', ARM], ['ARM64_SW_TTBR0_PAN', 'y', ARM], ['UNMAP_KERNEL_AT_EL0', 'y', ARM],
    ['SHADOW_CALL_STACK', 'y', ARM], ['UNWIND_PATCH_PAC_INTO_SCS', 'y', ARM], ['ARM64_PTR_AUTH', 'y', ARM],
    ['ARM64_PTR_AUTH_KERNEL', 'y', ARM], ['ARM64_BTI', 'y', ARM], ['ARM64_BTI_KERNEL', 'y', ARM], ['ARM64_MTE', 'y', ARM],
    ['KASAN_HW_TAGS', 'y', ARM], ['ARM64_E0PD', 'y', ARM], ['ARM64_EPAN', 'y', ARM], ['CFI_CLANG', 'y', ARM], ['CFI_PERMISSIVE', 'n', ARM],
  ]),
  ...rows('cmdline', 'kspp', 'kspp-058b262f', [
    ['hardened_usercopy', '1'], ['init_on_alloc', '1'], ['init_on_free', '1'], ['randomize_kstack_offset', 'on'],
    ['page_alloc.shuffle', '1'], ['slab_nomerge', true],
    // pti= is x86's parameter; arm64's KPTI is UNMAP_KERNEL_AT_EL0 (kpti= only turns it off or forces it on old cores).
    ['pti', 'on', X86], ['nosmt', true], ['slub_debug', 'ZF'], ['slub_debug', 'P'], ['page_poison', '1'],
    ['iommu.passthrough', '0'], ['iommu.strict', '1'], ['mitigations', 'auto,nosmt'],
    ['vsyscall', 'none', X86], ['vdso32', '0', X86], ['cfi', 'kcfi', X86],
  ]),
  ...rows('sysctl', 'kspp', 'kspp-058b262f', [
    ['kernel.kptr_restrict', '2'], ['kernel.dmesg_restrict', '1'], ['kernel.modules_disabled', '1'],
    ['kernel.perf_event_paranoid', '3'], ['kernel.kexec_load_disabled', '1'], ['kernel.randomize_va_space', '2'],
    ['kernel.yama.ptrace_scope', '3'], ['user.max_user_namespaces', '0'], ['dev.tty.ldisc_autoload', '0'],
    ['dev.tty.legacy_tiocsti', '0'], ['kernel.unprivileged_bpf_disabled', '1'], ['kernel.warn_limit', '1'],
    ['kernel.oops_limit', '1'], ['net.core.bpf_jit_harden', '2'], ['vm.unprivileged_userfaultfd', '0'],
    ['fs.protected_symlinks', '1'], ['fs.protected_hardlinks', '1'], ['fs.protected_fifos', '2'], ['fs.protected_regular', '2'],
    ['fs.suid_dumpable', '0'],
  ]),

  // ---- KSPP, additions of the 2026-07 revision ------------------------------------------
  ...rows('kconfig', 'kspp', 'kspp-2026-07', [
    ['PROC_MEM_NO_FORCE', 'y'], ['HARDENED_USERCOPY_DEFAULT_ON', 'y'], ['MSEAL_SYSTEM_MAPPINGS', 'y'],
    ['KSTACK_ERASE', 'y'], ['KSTACK_ERASE_METRICS', 'n'], ['KSTACK_ERASE_RUNTIME_DISABLE', 'n'],
    ['CFI_AUTO_DEFAULT', 'n', X86],
    // mmap randomisation at the arch maximum of the configs built here (x86_64: 4-level paging; arm64: 4 KiB pages, 48/52-bit VA).
    ['ARCH_MMAP_RND_BITS', '32', X86], ['ARCH_MMAP_RND_BITS', '33', ARM],
    ['DEFAULT_MMAP_MIN_ADDR', '65536', ARM], ['ARM64_GCS', 'y', ARM],
  ]),
  ...rows('cmdline', 'kspp', 'kspp-2026-07', [
    ['proc_mem.force_override', 'never'], ['hash_pointers', 'always'], ['kfence.sample_interval', '100'],
  ]),

  // ---- the kernel's own fragments, Linux 6.12 -------------------------------------------
  ...rows('kconfig', 'kernel-hardening-config', 'linux-6.12', [
    ['BUG', 'y'], ['STRICT_KERNEL_RWX', 'y'], ['STRICT_MODULE_RWX', 'y'], ['VMAP_STACK', 'y'], ['RANDOMIZE_BASE', 'y'],
    ['RANDOMIZE_MEMORY', 'y', X86], ['SLAB_FREELIST_RANDOM', 'y'], ['SLAB_FREELIST_HARDENED', 'y'], ['SLAB_BUCKETS', 'y'],
    ['SHUFFLE_PAGE_ALLOCATOR', 'y'], ['RANDOM_KMALLOC_CACHES', 'y'], ['PAGE_TABLE_CHECK', 'y'], ['PAGE_TABLE_CHECK_ENFORCED', 'y'],
    ['RANDOMIZE_KSTACK_OFFSET_DEFAULT', 'y'], ['STACKPROTECTOR', 'y'], ['STACKPROTECTOR_STRONG', 'y'], ['HARDENED_USERCOPY', 'y'],
    ['FORTIFY_SOURCE', 'y'], ['UBSAN', 'y'], ['UBSAN_TRAP', 'y'], ['UBSAN_BOUNDS', 'y'], ['UBSAN_SHIFT', 'n'], ['UBSAN_DIV_ZERO', 'n'],
    ['UBSAN_UNREACHABLE', 'n'], ['UBSAN_SIGNED_WRAP', 'n'], ['UBSAN_BOOL', 'n'], ['UBSAN_ENUM', 'n'], ['UBSAN_ALIGNMENT', 'n'],
    ['KFENCE', 'y'], ['LIST_HARDENED', 'y'], ['INIT_ON_ALLOC_DEFAULT_ON', 'y'], ['INIT_STACK_ALL_ZERO', 'y'],
    ['RESET_ATTACK_MITIGATION', 'y'], ['EFI_DISABLE_PCI_DMA', 'y'], ['IOMMU_SUPPORT', 'y'], ['IOMMU_DEFAULT_DMA_STRICT', 'y'],
    ['STRICT_DEVMEM', 'y'], ['IO_STRICT_DEVMEM', 'y'], ['SECCOMP', 'y'], ['SECCOMP_FILTER', 'y'], ['SYN_COOKIES', 'y'],
    ['CFI_CLANG', 'y'], ['CFI_PERMISSIVE', 'n'], ['LDISC_AUTOLOAD', 'n'], ['COMPAT_BRK', 'n'], ['PROC_KCORE', 'n'],
    ['COMPAT_VDSO', 'n'], ['LEGACY_PTYS', 'n'],
    ['LEGACY_VSYSCALL_NONE', 'y', X86], ['INTEL_IOMMU', 'y', X86], ['INTEL_IOMMU_DEFAULT_ON', 'y', X86],
    ['INTEL_IOMMU_SVM', 'y', X86], ['AMD_IOMMU', 'y', X86], ['X86_KERNEL_IBT', 'y', X86], ['X86_USER_SHADOW_STACK', 'y', X86],
    ['ARM64_SW_TTBR0_PAN', 'y', ARM], ['SHADOW_CALL_STACK', 'y', ARM], ['UNWIND_PATCH_PAC_INTO_SCS', 'y', ARM],
    ['ARM64_PTR_AUTH', 'y', ARM], ['ARM64_PTR_AUTH_KERNEL', 'y', ARM], ['ARM64_BTI', 'y', ARM], ['ARM64_BTI_KERNEL', 'y', ARM],
    ['ARM64_MTE', 'y', ARM], ['KASAN_HW_TAGS', 'y', ARM], ['ARM64_E0PD', 'y', ARM], ['ARM64_EPAN', 'y', ARM],
  ]),
  // ---- what Linux 7.3's fragments changed ------------------------------------------------
  ...rows('kconfig', 'kernel-hardening-config', 'linux-7.3', [
    ['KMALLOC_PARTITION_CACHES', 'y'], ['INIT_ON_FREE_DEFAULT_ON', 'y'], ['KSTACK_ERASE', 'y'], ['UBSAN_INTEGER_WRAP', 'n'], ['CFI', 'y'],
  ]),
];

/** Whether `rule` speaks to `rec`: the same symbol under any of its names, the same parameter, or the sysctl as `sysctl.<name>`. */
function speaksTo(rule: Rule, rec: Recommendation): boolean {
  switch (rec.kind) {
    case 'kconfig':
      return (
        rule.kind === 'kconfig' &&
        (symbolNames(rule.symbol).includes(rec.item) || rule.specName === rec.item || requirement(rule, rec) !== undefined)
      );
    case 'cmdline':
      return rule.kind === 'cmdline' && normalizeParamName(rule.param) === normalizeParamName(rec.item);
    case 'sysctl':
      return rule.kind === 'cmdline' && normalizeParamName(rule.param) === normalizeParamName(`sysctl.${rec.item}`);
  }
}

/** A rule's `requires` entry naming the item: requested whenever the rule is, with that entry's value. */
function requirement(rule: Rule, rec: Recommendation): string | undefined {
  if (rule.kind !== 'kconfig') return undefined;
  return rule.requires?.find((q) => symbolNames(q.symbol).includes(rec.item))?.value;
}

// The kernel reads boolean boot values with kstrtobool: on/1/y are one value.
const TRUE = new Set(['1', 'on', 'y', 'yes', 'true']);
const FALSE = new Set(['0', 'off', 'n', 'no', 'false']);
const same = (a: string | true, b: string | true) =>
  a === b || (typeof a === 'string' && typeof b === 'string' && ((TRUE.has(a) && TRUE.has(b)) || (FALSE.has(a) && FALSE.has(b))));

export interface Answer {
  rec: Recommendation;
  arch: Arch;
  kernel: KernelVersion;
  toolchain: Toolchain;
  /** met: enforced with the value; waived / not-applicable: with the rule's reason; unanswered / differs: the test fails. */
  status: 'met' | 'waived' | 'not-applicable' | 'unanswered' | 'differs';
  rule?: string;
  why?: string;
}

/** How the policy answers one recommendation on one target. */
export function answer(rec: Recommendation, arch: Arch, kernel: KernelVersion, toolchain: Toolchain): Answer {
  const base = { rec, arch, kernel, toolchain };
  const rules = RULES.filter((r) => appliesToArch(r, arch) && speaksTo(r, rec));
  if (!rules.length) return { ...base, status: 'unanswered', why: `no rule names ${rec.item}` };
  let fallback: Answer | undefined;
  for (const rule of rules) {
    const res = resolveRule(rule, { arch, kernel, toolchain });
    if (res.status !== 'enforced') {
      fallback ??= { ...base, status: res.status, rule: rule.id, why: res.reason };
      continue;
    }
    const value =
      rule.kind === 'kconfig' ? (requirement(rule, rec) ?? rule.value) : rule.kind === 'cmdline' ? cmdlineValue(rule, arch) : undefined;
    if (value !== undefined && !same(value, rec.expected)) {
      return { ...base, status: 'differs', rule: rule.id, why: `rule ${rule.id} enforces ${String(value)}, the recommendation is ${String(rec.expected)}` };
    }
    return { ...base, status: 'met', rule: rule.id };
  }
  return fallback!;
}

/** Every recommendation on every verified target it names. */
export function allAnswers(): Answer[] {
  return RECOMMENDATIONS.flatMap((rec) =>
    rec.archs.flatMap((arch) => KERNELS.flatMap((kernel) => TOOLCHAINS.map((toolchain) => answer(rec, arch, kernel, toolchain)))),
  );
}
