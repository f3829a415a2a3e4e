import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';
import { COMPILE_TIME } from './shared.ts';

// Beyond the spec's tables: every option of the kernel's own hardening fragments
// (kernel/configs/hardening.config and arch/{x86,arm64}/configs/hardening.config,
// Linux 6.12 and 7.3) and of the KSPP recommended settings that applies to a VM guest,
// plus the CPU mitigations allnoconfig switches off. What does not apply carries
// a waiver saying why; what a kernel version lacks says so in its symbol map.

const NO_IOMMU =
  'the guest has no IOMMU: QEMU gives it virtio devices without a vIOMMU, and Apple VZ offers none, so there is nothing to enable or make strict';
const NO_EFI = 'the VM boots the kernel image directly (QEMU -kernel, Apple VZ Linux boot loader): no EFI firmware, EFI=n';
const NO_MODULES = 'MODULES=n (rule no-modules): there are no modules to protect, sign or force-load';
const KFENCE_COST =
  'a sampling bug detector, not a mitigation: in a short-lived VM it almost never samples the attacked object, yet costs a 2 MiB pool and a periodic timer wake-up in every guest';
/** These checks live under "depends on DEBUG_KERNEL" (EXPERT selects it; requested so they do not hang on that). */
const DEBUG_KERNEL = { symbol: 'DEBUG_KERNEL', value: 'y' } as const;
/** GCC's plugin framework (scripts/setup.mjs installs gcc-12-plugin-dev and its cross variant); prompted, so allnoconfig turns it off. */
const GCC_PLUGINS = { symbol: 'GCC_PLUGINS', value: 'y' } as const;
/** Renames whose release we could not date from a tree: the oldest Debian tree checked that has the new state. */
const BY_7_2 = 'between 6.13 and 7.2 (dated 7.2: Debian\'s linux-source-7.2 is the oldest tree checked that has it)';

export const BEYOND_SPEC = defineRules([
  // ---- kernel/configs/hardening.config -------------------------------------------------
  {
    id: 'bug', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'BUG() support', symbol: 'BUG', value: 'y',
    rationale:
      'Makes reporting of hardening actions possible: without BUG, BUG() and the data-corruption checks cannot stop ' +
      'the offending task. Its prompt is "if EXPERT", which this policy needs (see no-kallsyms), so allnoconfig would turn it off.',
    requires: [{ symbol: 'EXPERT', value: 'y' }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'strict-module-rwx', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Module memory W^X', symbol: 'STRICT_MODULE_RWX', value: 'y',
    rationale: 'Module text read-only and data non-executable.',
    waivers: [{ reason: NO_MODULES }],
  },
  {
    id: 'randomize-memory', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'Kernel memory region randomization', symbol: 'RANDOMIZE_MEMORY', value: 'y',
    rationale:
      'Randomizes the base of the direct map, vmalloc and vmemmap (x86_64 only; arm64 randomizes its linear map ' +
      'as part of RANDOMIZE_BASE). Default y, but allnoconfig turns it off.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'slab-buckets', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Dedicated slab buckets for user-controlled allocations',
    symbol: [{ absent: 'SLAB_BUCKETS was added in 6.11' }, { from: '6.11', name: 'SLAB_BUCKETS' }], value: 'y',
    rationale: 'Separates kmalloc caches for allocations whose size userspace controls (msg_msg, xattr, ...): defeats cross-cache heap spraying.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'random-kmalloc-caches', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Randomized kmalloc caches',
    symbol: [
      { absent: 'RANDOM_KMALLOC_CACHES was added in 6.6' },
      { from: '6.6', name: 'RANDOM_KMALLOC_CACHES' },
      { from: '7.2', name: 'KMALLOC_PARTITION_CACHES' },
    ],
    value: 'y',
    rationale:
      'Spreads each kmalloc size over 16 caches chosen by call site: heap spraying cannot predict neighbours. ' +
      `Renamed KMALLOC_PARTITION_CACHES ${BY_7_2}, with a mode choice (random by call site, or typed); ` +
      'RANDOM_KMALLOC_CACHES stays as a transitional symbol that is read but never written, so asking for it there is lost.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'page-table-check', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Page table check', symbol: 'PAGE_TABLE_CHECK', value: 'y',
    rationale: 'Validates user page table mappings on every change: catches double-mapping of pages (a use-after-free primitive).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'page-table-check-enforced', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Page table check', symbol: 'PAGE_TABLE_CHECK_ENFORCED', value: 'y',
    rationale: 'Page table checks on by default (no page_table_check=on needed).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'randomize-kstack-offset', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Kernel stack offset randomization', symbol: 'RANDOMIZE_KSTACK_OFFSET_DEFAULT', value: 'y',
    rationale:
      'Randomizes the kernel stack offset on every syscall entry. RANDOMIZE_KSTACK_OFFSET (prompt "if EXPERT") ' +
      'must be requested too or allnoconfig drops both.',
    requires: [{ symbol: 'RANDOMIZE_KSTACK_OFFSET', value: 'y' }],
    checks: ['test_boot_params_consumed'],
  },
  {
    id: 'ubsan', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Array bounds checking (UBSAN)', symbol: 'UBSAN', value: 'y',
    rationale: 'The undefined behaviour sanitizer framework; only its bounds checker is enabled (ubsan-bounds), trapping.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-trap', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Array bounds checking (UBSAN)', symbol: 'UBSAN_TRAP', value: 'y',
    rationale: 'A detected violation traps (BUG, then panic_on_oops) instead of printing a report and carrying on.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-bounds', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Array bounds checking (UBSAN)', symbol: 'UBSAN_BOUNDS', value: 'y',
    rationale: 'Checks array indexes against statically known bounds: stops a whole class of out-of-bounds writes.',
    proofs: ['ARRAY_BOUNDS'],
  },
  {
    id: 'ubsan-no-shift', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_SHIFT', value: 'n',
    rationale: 'Shift checks find bugs, not exploits; trapping on them would only add crashes.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-div-zero', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_DIV_ZERO', value: 'n',
    rationale: 'Division checks find bugs, not exploits; trapping on them would only add crashes.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-unreachable', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_UNREACHABLE', value: 'n',
    rationale: 'Not a memory-safety check; the kernel\'s hardening.config keeps it off.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-signed-wrap', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only',
    symbol: [
      { absent: 'UBSAN_SIGNED_WRAP was added in 6.9' },
      { from: '6.9', name: 'UBSAN_SIGNED_WRAP' },
      { from: '6.15', name: 'UBSAN_INTEGER_WRAP' },
    ],
    value: 'n',
    rationale:
      'Signed overflow checks are still noisy in the kernel; the kernel\'s hardening.config keeps them off. ' +
      '6.15 replaced UBSAN_SIGNED_WRAP with UBSAN_INTEGER_WRAP (every integer wrap sanitizer; depends on BROKEN).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-bool', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_BOOL', value: 'n',
    rationale: 'Not a memory-safety check; the kernel\'s hardening.config keeps it off.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-enum', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_ENUM', value: 'n',
    rationale: 'Not a memory-safety check; the kernel\'s hardening.config keeps it off.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-no-alignment', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'UBSAN: bounds only', symbol: 'UBSAN_ALIGNMENT', value: 'n',
    rationale: 'Misaligned access is legal on x86_64 and arm64; checking it only adds noise.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'kfence', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'KFENCE sampling memory error detector', symbol: 'KFENCE', value: 'y',
    rationale:
      'Samples one allocation in many into guarded pages to catch out-of-bounds and use-after-free (KSPP also asks ' +
      'for kfence.sample_interval=100).',
    waivers: [{ reason: KFENCE_COST }],
  },
  {
    id: 'kfence-sample-interval', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'KFENCE sampling memory error detector', symbol: 'KFENCE_SAMPLE_INTERVAL', value: '100',
    rationale: 'KSPP: sample every 100 ms.',
    waivers: [{ reason: `KFENCE is waived (rule kfence): ${KFENCE_COST}` }],
  },
  {
    id: 'list-hardened', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Linked list integrity checks',
    symbol: [{ absent: 'LIST_HARDENED was split out of DEBUG_LIST in 6.6; on 6.1 rule debug-list asks for DEBUG_LIST' }, { from: '6.6', name: 'LIST_HARDENED' }],
    value: 'y',
    rationale: 'Checks list pointers before linking and unlinking: stops the classic list-unlink write primitive.',
    proofs: ['CORRUPT_LIST_ADD', 'CORRUPT_LIST_DEL'],
  },
  {
    id: 'init-stack-all-zero', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Zero-initialized stack variables', symbol: 'INIT_STACK_ALL_ZERO', value: 'y',
    rationale: 'Every stack variable starts zeroed (-ftrivial-auto-var-init=zero, gcc >= 12): no uninitialized stack leaks.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'reset-attack-mitigation', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Wipe RAM at reboot', symbol: 'RESET_ATTACK_MITIGATION', value: 'y',
    rationale: 'Asks EFI firmware to wipe memory on reboot.',
    waivers: [{ reason: `${NO_EFI}; guest memory is freed by the host when the VM ends` }],
  },
  {
    id: 'efi-disable-pci-dma', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'No DMA before IOMMU setup', symbol: 'EFI_DISABLE_PCI_DMA', value: 'y',
    rationale: 'Disables PCI bus mastering between EFI hand-off and IOMMU setup.',
    waivers: [{ reason: NO_EFI }],
  },
  {
    id: 'iommu-support', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'IOMMU', symbol: 'IOMMU_SUPPORT', value: 'y',
    rationale: 'DMA isolation of devices.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'iommu-default-dma-strict', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'IOMMU', symbol: 'IOMMU_DEFAULT_DMA_STRICT', value: 'y',
    rationale: 'Synchronous IOMMU TLB invalidation: devices never see stale mappings.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'strict-devmem', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Restricted /dev/mem', symbol: 'STRICT_DEVMEM', value: 'y',
    rationale: 'Limits /dev/mem to device memory.',
    waivers: [{ reason: 'DEVMEM=n (rule no-devmem): there is no /dev/mem to restrict' }],
  },
  {
    id: 'io-strict-devmem', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Restricted /dev/mem', symbol: 'IO_STRICT_DEVMEM', value: 'y',
    rationale: 'Limits /dev/mem to idle device memory.',
    waivers: [{ reason: 'DEVMEM=n (rule no-devmem): there is no /dev/mem to restrict' }],
  },
  {
    id: 'syn-cookies', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'SYN cookies', symbol: 'SYN_COOKIES', value: 'y',
    rationale: 'Some protection against SYN floods on the guest\'s loopback listeners.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'cfi-clang', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Kernel control flow integrity (kCFI)', specName: 'CFI_CLANG',
    symbol: [{ name: 'CFI_CLANG' }, { from: '6.18', name: 'CFI' }], value: 'y', toolchain: 'clang',
    rationale:
      'Checks the type of every indirect call target (-fsanitize=kcfi): needs clang; waived under gcc. ' +
      'Renamed CFI in 6.18 (CFI_CLANG stays as a transitional symbol: read, never written).',
    // Not a Kconfig dependency: a link fix. 6.12 x86_64 (FINEIBT, MODULES=n): __apply_fineibt in .text calls
    // __init code (only during boot; 7.3 marks it __init_or_module) and modpost stops the clang link on it.
    // The kernel's default is y; allnoconfig turns it off.
    requires: [{ symbol: 'SECTION_MISMATCH_WARN_ONLY', value: 'y' }],
    proofs: ['CFI_FORWARD_PROTO'],
  },
  {
    id: 'cfi-not-permissive', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Kernel control flow integrity (kCFI)', symbol: 'CFI_PERMISSIVE', value: 'n',
    rationale: 'A CFI violation must stop the kernel, not just warn.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-ldisc-autoload', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'No TTY line discipline autoload', symbol: 'LDISC_AUTOLOAD', value: 'n',
    rationale: 'Unprivileged users cannot pull rarely used line disciplines into reach (a recurring CVE source).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-compat-vdso', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'No fixed-address vDSO', symbol: 'COMPAT_VDSO', value: 'n',
    rationale: 'On x86 COMPAT_VDSO maps the 32-bit vDSO at a fixed address (no ASLR); on arm64 it is the AArch32 vDSO. Off either way.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-legacy-ptys', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'No legacy BSD ptys', symbol: 'LEGACY_PTYS', value: 'n',
    rationale: 'Only the modern devpts interface (UNIX98_PTYS).',
    unobservable: COMPILE_TIME,
  },

  // ---- arch/x86/configs/hardening.config ------------------------------------------------
  {
    id: 'x86-legacy-vsyscall-none', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'No vsyscall page', symbol: 'LEGACY_VSYSCALL_NONE', value: 'y',
    rationale: 'Removes the fixed-address vsyscall page, a known ROP target; modern libc uses the vDSO.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'x86-intel-iommu', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'Intel IOMMU', symbol: 'INTEL_IOMMU', value: 'y',
    rationale: 'Intel VT-d DMA remapping.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'x86-intel-iommu-default-on', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'Intel IOMMU', symbol: 'INTEL_IOMMU_DEFAULT_ON', value: 'y',
    rationale: 'VT-d on by default.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'x86-intel-iommu-svm', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'Intel IOMMU', symbol: 'INTEL_IOMMU_SVM', value: 'y',
    rationale: 'Shared virtual memory through VT-d.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'x86-amd-iommu', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'AMD IOMMU', symbol: 'AMD_IOMMU', value: 'y',
    rationale: 'AMD-Vi DMA remapping.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'x86-kernel-ibt', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'Indirect Branch Tracking (CET-IBT)', symbol: 'X86_KERNEL_IBT', value: 'y',
    rationale: 'Indirect branches in the kernel must land on ENDBR: coarse CFI in hardware (gcc -fcf-protection=branch).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'x86-user-shadow-stack', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['x86_64'],
    title: 'User shadow stacks (CET-SS)',
    symbol: [{ absent: 'X86_USER_SHADOW_STACK was added in 6.6' }, { from: '6.6', name: 'X86_USER_SHADOW_STACK' }], value: 'y',
    rationale: 'Lets userspace built with shadow stacks (glibc opt-in) protect its return addresses in hardware.',
    unobservable: 'needs CET hardware and a shadow-stack-enabled libc; the host audit covers it',
  },

  // ---- arch/arm64/configs/hardening.config ----------------------------------------------
  {
    id: 'arm64-sw-ttbr0-pan', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Emulated PAN', symbol: 'ARM64_SW_TTBR0_PAN', value: 'y',
    rationale: 'Privileged Access Never emulated by switching TTBR0: the kernel cannot touch user memory by accident, even on CPUs without PAN.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-shadow-call-stack', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Shadow call stack', symbol: 'SHADOW_CALL_STACK', value: 'y',
    rationale: 'Return addresses also kept on a separate stack (x18): overwriting the normal stack cannot redirect returns.',
    // Claimed with clang (src/prove/lkdtm.ts CFI_BACKWARD); under gcc the proof is not run yet, so it holds unproven.
    proofs: ['CFI_BACKWARD'],
  },
  {
    id: 'arm64-unwind-patch-pac-into-scs', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Shadow call stack', toolchain: 'clang',
    symbol: [{ absent: 'UNWIND_PATCH_PAC_INTO_SCS was added in 6.2' }, { from: '6.2', name: 'UNWIND_PATCH_PAC_INTO_SCS' }], value: 'y',
    rationale: 'Patches PAC instructions into shadow call stack pushes on CPUs without PAC. "depends on CC_IS_CLANG && CLANG_VERSION >= 150000".',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-mte', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Memory Tagging Extension', symbol: 'ARM64_MTE', value: 'y',
    rationale: 'Lets userspace use MTE where the CPU has it. Needs ARM64_PAN (rule arm64-pan) and ARM64_TAGGED_ADDR_ABI.',
    requires: [{ symbol: 'ARM64_TAGGED_ADDR_ABI', value: 'y' }],
    unobservable: 'needs MTE hardware (QEMU -M virt,mte=on; Apple silicon has none); the host audit covers it',
  },
  {
    id: 'arm64-kasan-hw-tags', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Hardware tag-based KASAN', symbol: 'KASAN_HW_TAGS', value: 'y',
    rationale: 'Uses MTE to tag kernel heap memory.',
    waivers: [{
      reason:
        'only works on MTE hardware, which the target hosts (Apple silicon, common arm64 clouds) lack; elsewhere it adds the KASAN runtime for nothing',
    }],
  },
  {
    id: 'arm64-e0pd', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'E0PD', symbol: 'ARM64_E0PD', value: 'y',
    rationale: 'ARMv8.5 E0PD: userspace accesses to kernel addresses fault uniformly, a cheaper KPTI against timing side channels.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-epan', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config', archs: ['arm64'],
    title: 'Enhanced PAN', symbol: 'ARM64_EPAN', value: 'y',
    rationale: 'ARMv8.7 EPAN: PAN also covers execute-only user mappings. Depends on ARM64_PAN where that exists.',
    unobservable: COMPILE_TIME,
  },

  {
    id: 'kmalloc-partition-typed', kind: 'kconfig', section: 'beyond-spec', source: 'kernel-hardening-config',
    title: 'Randomized kmalloc caches', toolchain: 'clang',
    symbol: [{ absent: `KMALLOC_PARTITION_TYPED was added ${BY_7_2}` }, { from: '7.2', name: 'KMALLOC_PARTITION_TYPED' }],
    value: 'y',
    rationale:
      'The partition mode hardening.config gets by default where the compiler allows: caches chosen by allocated type, ' +
      'so pointer-holding and plain buffers never share one. Otherwise the mode is random by call site.',
    waivers: [{ when: { toolchain: 'clang' }, reason: 'needs clang 22 allocation tokens (CC_HAS_ALLOC_TOKEN, -falloc-token-max); Debian ships clang-19' }],
  },

  // ---- KSPP recommended settings (beyond the kernel's own fragments) ----------------------
  {
    id: 'debug-wx', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Warn on W+X mappings', symbol: 'DEBUG_WX', value: 'y',
    rationale: 'Scans kernel page tables once at boot and reports any writable+executable mapping.',
    checks: ['test_kernel_log_hardening'],
  },
  {
    id: 'slub-debug', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'SLUB debugging support', symbol: 'SLUB_DEBUG', value: 'y',
    rationale: 'Builds the SLUB consistency checks (off until slub_debug= asks for them). Prompt "if EXPERT", so requested.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-slab-merge-default', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No slab cache merging by default', symbol: 'SLAB_MERGE_DEFAULT', value: 'n',
    rationale: 'Slab caches stay separate even without slab_nomerge on the command line (defence in depth with cmdline-slab-nomerge).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'debug-virtual', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Checked virtual-to-physical translations', symbol: 'DEBUG_VIRTUAL', value: 'y',
    rationale: 'virt_to_phys() on a bad address BUGs instead of returning a wrong physical address.',
    requires: [DEBUG_KERNEL],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'debug-sg', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Checked scatterlists', symbol: 'DEBUG_SG', value: 'y',
    rationale: 'Validates scatter-gather tables (virtio uses them for every request).',
    requires: [DEBUG_KERNEL],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'debug-notifiers', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Checked notifier chains', symbol: 'DEBUG_NOTIFIERS', value: 'y',
    rationale: 'Checks notifier callbacks point into kernel text (kCFI does this better where available).',
    requires: [DEBUG_KERNEL],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'debug-credentials', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Checked credentials',
    symbol: [{ name: 'DEBUG_CREDENTIALS' }, { from: '6.7', absent: 'DEBUG_CREDENTIALS was removed in 6.7 (and 6.6.8)' }], value: 'y',
    rationale: 'Validates struct cred magic and use counts (until its removal in 6.7).',
    requires: [DEBUG_KERNEL],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'debug-list', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Linked list debugging', symbol: 'DEBUG_LIST', value: 'y',
    rationale: 'KSPP asks for DEBUG_LIST. On 6.1 it is the only list integrity check (LIST_HARDENED came in 6.6).',
    requires: [DEBUG_KERNEL],
    waivers: [{
      when: { kernel: { from: '6.6' } },
      reason: 'since 6.6 LIST_HARDENED (rule list-hardened) holds the exploit-relevant checks; DEBUG_LIST only adds debugging cost',
    }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'sched-stack-end-check', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Stack end check', symbol: 'SCHED_STACK_END_CHECK', value: 'y',
    rationale: 'Checks the stack end canary on every schedule(): catches stack overruns VMAP_STACK guard pages miss.',
    requires: [DEBUG_KERNEL],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'bug-on-data-corruption', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'BUG on data corruption', symbol: 'BUG_ON_DATA_CORRUPTION', value: 'y',
    rationale: 'Detected list or structure corruption stops the task instead of warning and continuing.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'static-usermodehelper', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No kernel-spawned user mode helpers', symbol: 'STATIC_USERMODEHELPER', value: 'y',
    rationale: 'Every usermode helper the kernel would start goes through one fixed path (empty: see static-usermodehelper-path).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'static-usermodehelper-path', kind: 'kconfig', section: 'beyond-spec', source: 'capsem',
    title: 'No kernel-spawned user mode helpers', symbol: 'STATIC_USERMODEHELPER_PATH', value: '""',
    rationale:
      'An empty path disables all usermode helpers (core_pattern pipes, request_key, hotplug): the kernel never ' +
      'executes a program an attacker could have planted.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'sched-core', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Core scheduling', symbol: 'SCHED_CORE', value: 'y',
    rationale: 'Lets mutually untrusting tasks refuse to share an SMT core.',
    waivers: [{
      reason:
        'the guest runs one agent\'s processes, which trust each other; isolating the VM\'s vCPUs from other tenants is the host\'s job',
    }],
  },
  {
    id: 'security', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'LSM framework', symbol: 'SECURITY', value: 'y',
    rationale: 'Needed by Yama, Landlock and Lockdown.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'security-yama', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Yama ptrace restrictions', symbol: 'SECURITY_YAMA', value: 'y',
    rationale: 'ptrace scope control (set to 3, no ptrace at all, by cmdline-sysctl-yama-ptrace-scope).',
    checks: ['test_sysctl_hardening'],
  },
  {
    id: 'security-landlock', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Landlock', symbol: 'SECURITY_LANDLOCK', value: 'y',
    rationale: 'Unprivileged sandboxing: an agent runtime can confine the tools it spawns.',
    checks: ['test_kernel_log_hardening'],
  },
  {
    id: 'security-lockdown', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Kernel lockdown', symbol: 'SECURITY_LOCKDOWN_LSM', value: 'y',
    rationale: 'Even root cannot read or modify kernel memory through the interfaces lockdown guards.',
    checks: ['test_kernel_log_hardening'],
  },
  {
    id: 'security-lockdown-early', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Kernel lockdown', symbol: 'SECURITY_LOCKDOWN_LSM_EARLY', value: 'y',
    rationale: 'Lockdown active from early boot.',
    checks: ['test_kernel_log_hardening'],
  },
  {
    id: 'lockdown-confidentiality', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Kernel lockdown', symbol: 'LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY', value: 'y',
    rationale: 'The strictest lockdown mode, forced: integrity plus no reading of kernel memory.',
    checks: ['test_kernel_log_hardening'],
  },
  {
    id: 'randstruct-full', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Randomized structure layout', symbol: 'RANDSTRUCT_FULL', value: 'y',
    rationale:
      'Randomizes the layout of sensitive structures per build. gcc: the randstruct plugin (GCC_PLUGINS, which the ' +
      'gcc-plugin-* rules request); clang: its own -frandomize-layout-seed-file (CC_HAS_RANDSTRUCT, clang >= 16). ' +
      'The seed is a per-machine secret (src/build/toolchain.ts), so the layout differs from every other build.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'hardened-usercopy-no-fallback', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Hardened usercopy without fallback',
    specName: 'HARDENED_USERCOPY_FALLBACK', symbol: [
      { name: 'HARDENED_USERCOPY_FALLBACK' },
      { from: '5.16', absent: 'HARDENED_USERCOPY_FALLBACK was removed in 5.16: whitelist violations always fail' },
    ],
    value: 'n',
    rationale: 'Usercopy whitelist violations must fail, not warn.',
  },
  {
    id: 'hardened-usercopy-no-pagespan', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Hardened usercopy without page-span debugging',
    specName: 'HARDENED_USERCOPY_PAGESPAN', symbol: [{ name: 'HARDENED_USERCOPY_PAGESPAN' }, { from: '5.18', absent: 'HARDENED_USERCOPY_PAGESPAN was removed in 5.18' }],
    value: 'n',
    rationale: 'A debugging check that never helped security.',
  },
  {
    id: 'gcc-plugin-latent-entropy', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Boot-time entropy from code paths', symbol: 'GCC_PLUGIN_LATENT_ENTROPY', value: 'y', toolchain: 'gcc',
    rationale: 'Extra entropy at early boot (a GCC plugin: clang has no equivalent).',
    requires: [GCC_PLUGINS],
    unobservable: 'instrumentation mixed into the entropy pool: nothing in the guest tells it from other entropy',
  },
  {
    id: 'gcc-plugin-stackleak', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Stack erasing on syscall exit', specName: 'GCC_PLUGIN_STACKLEAK',
    symbol: [{ name: 'GCC_PLUGIN_STACKLEAK' }, { from: '6.16', name: 'KSTACK_ERASE' }], value: 'y',
    rationale:
      'Erases the used kernel stack on return to userspace. 6.16 renamed it KSTACK_ERASE (a GCC plugin, or clang 21\'s ' +
      'stack-depth callback); 7.3\'s hardening.config asks for it.',
    requires: [GCC_PLUGINS],
    waivers: [{
      when: { toolchain: 'clang' },
      reason: 'clang before 21 has no -fsanitize-coverage-stack-depth-callback-min (Debian ships clang-19); INIT_STACK_ALL_ZERO covers uninitialized stack reads',
    }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'stackleak-no-metrics', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Stack erasing on syscall exit',
    symbol: [{ name: 'STACKLEAK_METRICS' }, { from: '6.16', name: 'KSTACK_ERASE_METRICS' }], value: 'n',
    rationale: 'Stack depth metrics in /proc leak kernel stack usage (KSTACK_ERASE_METRICS from 6.16).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'stackleak-no-runtime-disable', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Stack erasing on syscall exit',
    symbol: [{ name: 'STACKLEAK_RUNTIME_DISABLE' }, { from: '6.16', name: 'KSTACK_ERASE_RUNTIME_DISABLE' }], value: 'n',
    rationale: 'Stack erasing cannot be switched off at run time (KSTACK_ERASE_RUNTIME_DISABLE from 6.16).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'module-sig', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG', value: 'y',
    rationale: 'Module signature checking.',
    waivers: [{ reason: NO_MODULES }],
  },
  {
    id: 'module-sig-all', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG_ALL', value: 'y',
    rationale: 'Sign every module at build time.',
    waivers: [{ reason: NO_MODULES }],
  },
  {
    id: 'module-sig-sha512', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG_SHA512', value: 'y',
    rationale: 'SHA-512 module signatures.',
    waivers: [{ reason: NO_MODULES }],
  },
  {
    id: 'module-sig-force', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG_FORCE', value: 'y',
    rationale: 'Refuse unsigned modules.',
    waivers: [{ reason: NO_MODULES }],
  },
  {
    id: 'no-module-force-load', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No forced module loading', symbol: 'MODULE_FORCE_LOAD', value: 'n',
    rationale: 'Holds trivially with MODULES=n; kept so a config with modules is still judged.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'init-on-free', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Heap zeroing on free', symbol: 'INIT_ON_FREE_DEFAULT_ON', value: 'y',
    rationale:
      'Freed pages and slab objects are wiped: stale data lives shorter and use-after-free reads see zeros. ' +
      'Supersedes the older page_poison=1 / slub_debug=P recommendations.',
    checks: ['test_kernel_log_hardening'],
    proofs: ['READ_AFTER_FREE', 'READ_BUDDY_AFTER_FREE'],
  },
  {
    id: 'ubsan-sanitize-all', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Array bounds checking (UBSAN)',
    symbol: [{ name: 'UBSAN_SANITIZE_ALL' }, { from: '6.9', absent: 'UBSAN_SANITIZE_ALL was removed in 6.9: UBSAN covers the whole kernel by default' }],
    value: 'y',
    rationale: 'Bounds checks in the whole kernel, not only opted-in files (before 6.9).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'ubsan-local-bounds', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Array bounds checking (UBSAN)', symbol: 'UBSAN_LOCAL_BOUNDS', value: 'y', toolchain: 'clang',
    rationale: 'clang\'s -fsanitize=local-bounds (def_bool UBSAN_ARRAY_BOUNDS && UBSAN_TRAP): gcc\'s bounds-strict has no equivalent.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'hw-random-tpm', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'TPM as entropy source', symbol: 'HW_RANDOM_TPM', value: 'y',
    rationale: 'Feeds the TPM RNG into the kernel pool.',
    waivers: [{ reason: 'the VM has no TPM device' }],
  },
  {
    id: 'mmap-min-addr-x86', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'No mappings in the first 64 KiB', symbol: 'DEFAULT_MMAP_MIN_ADDR', value: '65536',
    rationale: 'Userspace cannot map page 0 and its neighbours: kernel NULL dereferences cannot be turned into exploits.',
    checks: ['test_kernel_defaults_in_effect'],
  },
  {
    id: 'mmap-min-addr-arm64', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['arm64'],
    title: 'No mappings in the first 64 KiB', symbol: 'DEFAULT_MMAP_MIN_ADDR', value: '65536',
    rationale:
      'As on x86_64. KSPP once said 32 KiB for arm64 because of the 32-bit ARM loader; arm64 has no such limit ' +
      '(mm/Kconfig: 65536 is reasonable for most arm64 users) and this guest runs no AArch32 code (COMPAT=n).',
    checks: ['test_kernel_defaults_in_effect'],
  },
  {
    id: 'iommu-no-passthrough', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'IOMMU', symbol: 'IOMMU_DEFAULT_PASSTHROUGH', value: 'n',
    rationale: 'DMA never bypasses translation by default (holds trivially without an IOMMU).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'amd-iommu-v2', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'AMD IOMMU', symbol: [{ name: 'AMD_IOMMU_V2' }, { from: '6.7', absent: 'AMD_IOMMU_V2 was folded into AMD_IOMMU in 6.7' }],
    value: 'y',
    rationale: 'AMD IOMMU v2 features.',
    waivers: [{ reason: NO_IOMMU }],
  },
  {
    id: 'werror', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Warnings are errors', symbol: 'WERROR', value: 'y',
    rationale: 'Build hygiene: compiler warnings fail the build.',
    waivers: [{ reason: 'a build-hygiene switch, not a runtime protection: a new compiler\'s new warning would break the pinned build' }],
  },
  {
    id: 'x86-sls', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'Straight-line speculation mitigation', specName: 'SLS',
    symbol: [{ name: 'SLS' }, { from: '6.9', name: 'MITIGATION_SLS' }], value: 'y',
    rationale: 'An INT3 after every RET and indirect JMP (CVE-2021-26341). Default n even in defconfig. Renamed MITIGATION_SLS in 6.9.',
    requires: [{ symbol: 'CPU_MITIGATIONS', value: 'y' }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-selinux-disable', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No runtime-disable of SELinux',
    symbol: [{ name: 'SECURITY_SELINUX_DISABLE' }, { from: '6.4', absent: 'SECURITY_SELINUX_DISABLE was removed in 6.4' }], value: 'n',
    rationale: 'A disable-able LSM keeps its hooks writable. Holds trivially: no SELinux in this guest.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-selinux-bootparam', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No SELinux boot parameter', symbol: 'SECURITY_SELINUX_BOOTPARAM', value: 'n',
    rationale: 'Holds trivially: no SELinux in this guest.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-selinux-develop', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No SELinux development mode', symbol: 'SECURITY_SELINUX_DEVELOP', value: 'n',
    rationale: 'Holds trivially: no SELinux in this guest.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-selinux-debug', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No SELinux debugging',
    symbol: [{ absent: 'SECURITY_SELINUX_DEBUG was added in 6.5' }, { from: '6.5', name: 'SECURITY_SELINUX_DEBUG' }], value: 'n',
    rationale: 'Holds trivially: no SELinux in this guest.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-writable-lsm-hooks', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Read-only LSM hooks',
    symbol: [{ name: 'SECURITY_WRITABLE_HOOKS' }, { from: '6.4', absent: 'SECURITY_WRITABLE_HOOKS was removed in 6.4 with SELinux runtime disable' }],
    value: 'n',
    rationale: 'LSM hooks must be read-only after init.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-acpi-custom-method', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No runtime ACPI method replacement',
    symbol: [{ name: 'ACPI_CUSTOM_METHOD' }, { from: '6.12', absent: 'ACPI_CUSTOM_METHOD was removed before 6.12' }], value: 'n',
    rationale: 'Allowed writing arbitrary kernel memory through debugfs.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-devkmem', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No /dev/kmem',
    specName: 'DEVKMEM', symbol: [{ name: 'DEVKMEM' }, { from: '5.13', absent: 'DEVKMEM was removed in 5.13' }], value: 'n',
    rationale: 'Direct kernel memory writes from userspace.',
  },
  {
    id: 'no-binfmt-misc', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No binfmt_misc', symbol: 'BINFMT_MISC', value: 'n',
    rationale: 'Arbitrary interpreters registered for file types: easily misused, never needed here.',
    checks: ['test_filesystems_allowlist'],
  },
  {
    id: 'no-inet-diag', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No socket diagnostics', symbol: 'INET_DIAG', value: 'n',
    rationale: 'The sock_diag netlink interface has leaked kernel heap addresses.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-modify-ldt', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'No modify_ldt()', symbol: 'MODIFY_LDT_SYSCALL', value: 'n',
    rationale: 'Per-process segment descriptors: only 16-bit and Wine code need them; a recurring exploit aid.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-x86-msr', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'No /dev/cpu/*/msr', symbol: 'X86_MSR', value: 'n',
    rationale: 'Root could write model-specific registers and switch off CPU protections.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-legacy-tiocsti', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No TIOCSTI',
    symbol: [{ absent: 'LEGACY_TIOCSTI was added in 6.2: 6.1 always allows TIOCSTI' }, { from: '6.2', name: 'LEGACY_TIOCSTI' }], value: 'n',
    rationale: 'No faking terminal input into another process\'s TTY.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-x86-vsyscall-emulation', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'No vsyscall page', symbol: 'X86_VSYSCALL_EMULATION', value: 'n',
    rationale: 'Removes vsyscall emulation entirely (vsyscall= on the command line cannot bring it back). Prompt "if EXPERT".',
    requires: [{ symbol: 'EXPERT', value: 'y' }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'panic-on-oops', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Panic on oops', symbol: 'PANIC_ON_OOPS', value: 'y',
    rationale: 'An oops leaves the kernel half-broken (held locks, leaked refcounts) for an attacker to retry: stop the VM instead.',
    checks: ['test_kernel_defaults_in_effect'],
  },
  {
    id: 'panic-timeout', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Reboot at once on panic', symbol: 'PANIC_TIMEOUT', value: '-1',
    rationale: 'A panicked guest reboots immediately, which ends the VM (QEMU -no-reboot / the runner\'s panic=-1).',
    unobservable: 'observable only by panicking the kernel on purpose',
  },
  {
    id: 'zero-call-used-regs', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Zero caller-used registers on return', symbol: 'ZERO_CALL_USED_REGS', value: 'y',
    rationale: 'Fewer ROP gadgets and no stale register contents after function return (-fzero-call-used-regs=used-gpr).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-perf-events', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No perf_event_open', symbol: 'PERF_EVENTS', value: 'n',
    rationale: 'perf_event_open is a large, CVE-rich interface (KSPP: perf_event_paranoid=3).',
    waivers: [{
      when: { arch: 'x86_64' },
      reason: 'arch/x86/Kconfig selects PERF_EVENTS unconditionally; rule x86-perf-events-restrict denies it to unprivileged users instead',
    }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'x86-perf-events-restrict', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'perf_event_open restricted', symbol: 'SECURITY_PERF_EVENTS_RESTRICT', value: 'y',
    rationale:
      'Debian\'s patch (in linux-source-6.1 and -6.12) making perf_event_paranoid=3 the default: no perf_event_open ' +
      'without CAP_PERFMON. The KSPP sysctl recommendation, built in.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-user-ns', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No user namespaces', symbol: 'USER_NS', value: 'n',
    rationale: 'Unprivileged user namespaces expose root-only kernel code to every user (KSPP: user.max_user_namespaces=0).',
    checks: ['test_kernel_defaults_in_effect'],
  },

  // ---- CPU mitigations allnoconfig turns off, and arch protections it drops ------------------
  {
    id: 'x86-cpu-mitigations', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'CPU vulnerability mitigations', symbol: 'CPU_MITIGATIONS', value: 'y',
    rationale:
      'The menu holding every x86 speculative-execution mitigation; default y, but allnoconfig turns it (and so ' +
      'all of them) off. On arm64 it is not user-settable.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-rethunk', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Return thunks', specName: 'RETHUNK', symbol: [{ name: 'RETHUNK' }, { from: '6.9', name: 'MITIGATION_RETHUNK' }], value: 'y',
    rationale: 'Returns go through a thunk the kernel can patch (needed by retbleed, SRSO and ITS mitigations). Renamed in 6.9.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-unret-entry', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Retbleed (AMD): untrained return on entry', specName: 'CPU_UNRET_ENTRY',
    symbol: [{ name: 'CPU_UNRET_ENTRY' }, { from: '6.9', name: 'MITIGATION_UNRET_ENTRY' }], value: 'y',
    rationale: 'AMD retbleed mitigation. Renamed in 6.9.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-call-depth-tracking', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Retbleed (Intel): call depth tracking',
    symbol: [
      { absent: 'call depth tracking was added in 6.2' },
      { from: '6.2', name: 'CALL_DEPTH_TRACKING' },
      { from: '6.9', name: 'MITIGATION_CALL_DEPTH_TRACKING' },
    ], value: 'y',
    rationale: 'Skylake-class retbleed mitigation cheaper than IBRS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-ibpb-entry', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Retbleed (AMD): IBPB on entry', specName: 'CPU_IBPB_ENTRY',
    symbol: [{ name: 'CPU_IBPB_ENTRY' }, { from: '6.9', name: 'MITIGATION_IBPB_ENTRY' }], value: 'y',
    rationale: 'Indirect branch predictor barrier on kernel entry. Renamed in 6.9.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-ibrs-entry', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Retbleed (Intel): IBRS on entry', specName: 'CPU_IBRS_ENTRY',
    symbol: [{ name: 'CPU_IBRS_ENTRY' }, { from: '6.9', name: 'MITIGATION_IBRS_ENTRY' }], value: 'y',
    rationale: 'Indirect branch restricted speculation on kernel entry. Renamed in 6.9.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-srso', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Speculative return stack overflow (AMD Inception)', specName: 'CPU_SRSO',
    symbol: [{ name: 'CPU_SRSO' }, { from: '6.9', name: 'MITIGATION_SRSO' }], value: 'y',
    rationale: 'SRSO mitigation for AMD Zen. Renamed in 6.9.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-gds', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Gather data sampling (Downfall)',
    symbol: [
      {
        absent:
          'no build switch before 6.12: the GDS mitigation is always built (GDS_FORCE_MITIGATION, MITIGATION_GDS_FORCE ' +
          'from 6.9, is a different switch that disables AVX without microcode)',
      },
      { from: '6.12', name: 'MITIGATION_GDS' },
    ],
    value: 'y',
    rationale: 'Intel Downfall mitigation (microcode-based).',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-rfds', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Register file data sampling', symbol: 'MITIGATION_RFDS', value: 'y',
    rationale: 'Intel Atom RFDS mitigation (backported to 6.1 under its 6.9 name).',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-spectre-bhi', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Spectre-BHI (branch history injection)', symbol: 'MITIGATION_SPECTRE_BHI', value: 'y',
    rationale: 'Intel branch history injection mitigation (backported to 6.1 under its 6.9 name).',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-mds', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Microarchitectural data sampling',
    symbol: [{ absent: 'no build switch before 6.12: the MDS mitigation is always built' }, { from: '6.12', name: 'MITIGATION_MDS' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-taa', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'TSX asynchronous abort',
    symbol: [{ absent: 'no build switch before 6.12: the TAA mitigation is always built' }, { from: '6.12', name: 'MITIGATION_TAA' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-mmio-stale-data', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'MMIO stale data',
    symbol: [{ absent: 'no build switch before 6.12: the MMIO stale data mitigation is always built' }, { from: '6.12', name: 'MITIGATION_MMIO_STALE_DATA' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-l1tf', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'L1 terminal fault',
    symbol: [{ absent: 'no build switch before 6.12: the L1TF mitigation is always built' }, { from: '6.12', name: 'MITIGATION_L1TF' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-spectre-v1', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Spectre v1',
    symbol: [{ absent: 'no build switch before 6.12: the Spectre v1 mitigation is always built' }, { from: '6.12', name: 'MITIGATION_SPECTRE_V1' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-spectre-v2', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Spectre v2',
    symbol: [{ absent: 'no build switch before 6.12: the Spectre v2 mitigation is always built' }, { from: '6.12', name: 'MITIGATION_SPECTRE_V2' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-srbds', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Special register buffer data sampling',
    symbol: [{ absent: 'no build switch before 6.12: the SRBDS mitigation is always built' }, { from: '6.12', name: 'MITIGATION_SRBDS' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-ssb', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Speculative store bypass',
    symbol: [{ absent: 'no build switch before 6.12: the SSB mitigation is always built' }, { from: '6.12', name: 'MITIGATION_SSB' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-retbleed', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Retbleed',
    symbol: [{ absent: 'no build switch before 6.12: retbleed selection is always built (see x86-unret-entry, x86-ibpb-entry, x86-ibrs-entry)' }, { from: '6.12', name: 'MITIGATION_RETBLEED' }], value: 'y',
    rationale: 'Since 6.12 each x86 mitigation has its own switch under CPU_MITIGATIONS.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-its', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Indirect target selection', symbol: 'MITIGATION_ITS', value: 'y',
    rationale: 'Intel ITS mitigation (2025; in both Debian trees). Needs retpoline and return thunks.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-tsa', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'Transient scheduler attacks', symbol: 'MITIGATION_TSA', value: 'y',
    rationale: 'AMD TSA mitigation (2025; in both Debian trees).',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-vmscape', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'VMSCAPE', symbol: 'MITIGATION_VMSCAPE', value: 'y',
    rationale: 'Protects a KVM host\'s userspace from its guests.',
    waivers: [{ reason: 'a host-side mitigation ("depends on KVM"): this kernel is a guest and has no KVM' }],
  },
  {
    id: 'x86-tsx-off', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'TSX off by default', symbol: 'X86_INTEL_TSX_MODE_OFF', value: 'y',
    rationale: 'Intel TSX disabled (TAA and other TSX-based side channels); the kernel default, pinned.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'x86-umip', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'User-mode instruction prevention', symbol: 'X86_UMIP', value: 'y',
    rationale: 'SGDT/SIDT/SLDT/SMSW/STR fault in user mode: no kernel addresses from descriptor tables. Default y; prompt "if EXPERT".',
    checks: ['test_cpu_features'],
  },
  {
    id: 'no-x86-iopl-ioperm', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['x86_64'],
    title: 'No iopl()/ioperm()', symbol: 'X86_IOPL_IOPERM', value: 'n',
    rationale: 'Userspace port I/O: the same power as /dev/port (rule no-devport).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'mseal-system-mappings', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Sealed system mappings',
    symbol: [{ absent: 'MSEAL_SYSTEM_MAPPINGS was added in 6.15' }, { from: '6.15', name: 'MSEAL_SYSTEM_MAPPINGS' }],
    value: 'y',
    rationale:
      'mseal()s the vdso, vvar and uprobe mappings of every process: an exploit cannot remap or unmap them. It breaks ' +
      'CRIU, gVisor and rr, none of which the guest runs (CHECKPOINT_RESTORE is off).',
    unobservable: 'observable as the `sl` VmFlag on [vdso] in /proc/self/smaps, but no doctor check reads it yet',
  },
  {
    id: 'arm64-pan', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['arm64'],
    title: 'Privileged Access Never',
    symbol: [{ name: 'ARM64_PAN' }, { from: '7.2', absent: `ARM64_PAN was removed ${BY_7_2}: PAN support is always built in` }],
    value: 'y',
    rationale: 'Hardware PAN: the kernel faults on stray user memory accesses. Default y, but allnoconfig turns it off (and with it EPAN and MTE).',
    checks: ['test_cpu_features'],
  },
  {
    id: 'arm64-spectre-bhb', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['arm64'],
    title: 'Spectre-BHB', symbol: 'MITIGATE_SPECTRE_BRANCH_HISTORY', value: 'y',
    rationale:
      'The real arm64 Spectre-BHB mitigation (the spec credits BTI with it). Prompt "if EXPERT", so allnoconfig ' +
      'with EXPERT turns it off unless requested.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'arm64-rodata-full', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['arm64'],
    title: 'Read-only linear map aliases',
    symbol: [
      { name: 'RODATA_FULL_DEFAULT_ENABLED' },
      { from: '7.2', absent: `RODATA_FULL_DEFAULT_ENABLED was removed ${BY_7_2}: rodata=on is full by default (rodata=noalias opts out)` },
    ],
    value: 'y',
    rationale: 'Read-only permissions also on the linear-map aliases of vmalloc memory (rodata=full).',
    unobservable: COMPILE_TIME,
  },
]) satisfies readonly Rule<string, CheckName>[];

