import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';
import { UNKNOWN_PARAM } from './shared.ts';

// The spec's boot command line table.

export const CMDLINE = defineRules([
  // ---- the line as a whole: exactly the contract, and no second line from the kernel image ----
  {
    id: 'cmdline-exact', kind: 'cmdline-contract', section: 'cmdline', source: 'capsem',
    title: 'Exactly the contract\'s command line',
    rationale:
      'The kernel parses every token, and a later one undoes an earlier one (`nopti` after `pti=on`, `rw` after `ro`, ' +
      '`slab_merge` after `slab_nomerge`, `nokaslr`, `norandmaps`, an unlisted `sysctl.*`). So the policy lists the ' +
      'complete set of tokens a guest may boot with: its own parameters plus what the launcher adds for the machine ' +
      'model and the run, each with its reason (src/policy/contract.ts); any other token, another value, a repeat or ' +
      'arguments after `--` break the rule.',
    checks: ['test_kernel_cmdline_exact'],
  },
  {
    id: 'no-builtin-cmdline', kind: 'kconfig', section: 'cmdline', source: 'capsem', archs: ['x86_64'],
    title: 'No built-in command line', symbol: 'CMDLINE_BOOL', value: 'n',
    rationale:
      'A built-in command line (CMDLINE, prepended to the boot loader\'s, or replacing it with CMDLINE_OVERRIDE) is a ' +
      'second source of parameters the host never passed. Both depend on CMDLINE_BOOL. The host compares /proc/cmdline ' +
      'with the line it passed, and the doctor with the contract.',
    checks: ['test_kernel_cmdline_exact'],
  },
  {
    id: 'no-builtin-cmdline-arm64', kind: 'kconfig', section: 'cmdline', source: 'capsem', archs: ['arm64'],
    title: 'No built-in command line', symbol: 'CMDLINE', value: '""',
    rationale:
      'arm64\'s CMDLINE is appended to (CMDLINE_EXTEND) or replaces (CMDLINE_FORCE) the boot loader\'s; both choices ' +
      'depend on CMDLINE != "", so an empty string removes the second source.',
    checks: ['test_kernel_cmdline_exact'],
  },
  {
    id: 'no-boot-config', kind: 'kconfig', section: 'cmdline', source: 'capsem',
    title: 'No boot config', symbol: 'BOOT_CONFIG', value: 'n',
    rationale:
      'Boot config (a key-value file appended to the initramfs) adds kernel parameters that are not on the boot ' +
      'loader\'s command line, and parameters for init; the guest\'s parameters come from the host\'s line only.',
    checks: ['test_kernel_cmdline_exact'],
  },

  // ---- the spec's table ----
  {
    id: 'cmdline-console', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Console device', param: 'console', value: { x86_64: 'ttyS0', arm64: 'hvc0' },
    rationale: 'hvc0 (virtio console) on arm64, ttyS0 (8250 UART) on x86_64: where the boot log and panics go.',
    unobservable: 'a wrong console shows as a boot with no output, which the host boot stage detects before the doctor can run',
  },
  {
    id: 'cmdline-root', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Root device', param: 'root', value: '/dev/vda',
    rationale: 'The squashfs image on the first virtio-blk disk.',
    checks: ['test_kernel_cmdline_root'],
  },
  {
    id: 'cmdline-ro', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Read-only rootfs', param: 'ro', value: true, cancelledBy: ['rw'],
    rationale:
      'Mount rootfs read-only; squashfs is structurally immutable. init/do_mounts.c: ro and rw set the same flag, ' +
      'so a later rw wins.',
    checks: ['test_kernel_cmdline_has_ro'],
  },
  {
    id: 'cmdline-init-on-alloc', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Heap zeroing', param: 'init_on_alloc', value: '1',
    rationale: 'Runtime enforcement of heap zeroing (belt-and-suspenders with INIT_ON_ALLOC_DEFAULT_ON).',
    checks: ['test_init_on_alloc'],
  },
  {
    id: 'cmdline-slab-nomerge', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Slab isolation', param: 'slab_nomerge', value: true, cancelledBy: ['slab_merge', 'slub_merge'],
    rationale:
      'Prevents kernel from merging slab caches; isolates allocations by type. A later slab_merge (or its alias ' +
      'slub_merge) turns merging back on.',
    checks: ['test_slab_nomerge'],
  },
  {
    id: 'cmdline-page-alloc-shuffle', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Page shuffle', param: 'page_alloc.shuffle', value: '1',
    rationale: 'Randomizes page allocator at boot (complements SHUFFLE_PAGE_ALLOCATOR).',
    checks: ['test_page_alloc_shuffle'],
  },

  // ---- beyond the spec: KSPP's command line and sysctl recommendations ------------------
  // sysctl.<name>=<value> (Linux >= 5.8, PROC_SYSCTL) sets a sysctl at boot; the kernel does
  // not pass dotted parameters on to init, so they cost nothing when unknown.
  {
    id: 'cmdline-init-on-free', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Heap zeroing on free', param: 'init_on_free', value: '1',
    rationale: 'Runtime enforcement of wipe-on-free (belt-and-suspenders with INIT_ON_FREE_DEFAULT_ON, rule init-on-free).',
    checks: ['test_kernel_cmdline_hardening'],
  },
  {
    id: 'cmdline-randomize-kstack-offset', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Kernel stack offset randomization', param: 'randomize_kstack_offset', value: '1',
    rationale: 'Pins the per-syscall stack offset randomization on (RANDOMIZE_KSTACK_OFFSET_DEFAULT makes it the default).',
    checks: ['test_kernel_cmdline_hardening'],
  },
  {
    id: 'cmdline-hardened-usercopy', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Hardened usercopy', param: 'hardened_usercopy', value: '1',
    rationale: 'Pins usercopy bounds checking on (HARDENED_USERCOPY makes it the default).',
    checks: ['test_kernel_cmdline_hardening'],
  },
  {
    id: 'cmdline-mitigations', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'CPU mitigations, SMT off where needed', param: 'mitigations', value: 'auto,nosmt',
    rationale: 'Every CPU vulnerability mitigation the CPU needs, and SMT disabled when a vulnerability (L1TF, MDS) requires it.',
    checks: ['test_kernel_cmdline_hardening', 'test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'cmdline-pti', kind: 'cmdline', section: 'cmdline', source: 'kspp', archs: ['x86_64'],
    title: 'Page table isolation forced on', param: 'pti', value: 'on',
    rationale:
      'KPTI even on CPUs not vulnerable to Meltdown: separate page tables also hide the kernel from prefetch and ' +
      'entry-timing KASLR breaks (e.g. EntryBleed, CVE-2022-4543). Linux 6.1 reads it with cmdline_find_option() and ' +
      'registers no parameter, so it also reaches init there; 6.12 registers early_param("pti").',
    checks: ['test_kernel_cmdline_hardening', 'test_cpu_features'],
    readUnregistered: { before: '6.12' },
  },
  {
    id: 'cmdline-nosmt', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'SMT off', param: 'nosmt', value: true,
    rationale: 'Disables simultaneous multithreading unconditionally.',
    waivers: [{
      reason:
        'the vCPU topology comes from the host (QEMU and Apple VZ give no SMT siblings by default); mitigations=auto,nosmt already turns SMT off when a CPU bug needs it',
    }],
  },
  {
    id: 'cmdline-cfi', kind: 'cmdline', section: 'cmdline', source: 'kspp', archs: ['x86_64'],
    title: 'CFI mode', param: 'cfi', value: 'kcfi',
    rationale: 'Selects kCFI over FineIBT on x86 (arm64 has no cfi=).',
    waivers: [{
      reason:
        'held at build time instead: rule x86-cfi-no-auto-default (CFI_AUTO_DEFAULT=n, "the same as booting with cfi=kcfi", ' +
        'arch/x86/Kconfig) makes kCFI the boot default of every kernel with CFI; the command line is one per arch ' +
        `(src/policy/boot.ts), and on a kernel without CFI ${UNKNOWN_PARAM}`,
    }],
  },
  {
    id: 'cmdline-kfence-sample-interval', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'KFENCE sampling', param: 'kfence.sample_interval', value: '100',
    rationale: 'KFENCE sampling every 100 ms.',
    waivers: [{ reason: 'KFENCE is waived (rule kfence)' }],
  },
  {
    id: 'cmdline-iommu-force', kind: 'cmdline', section: 'cmdline', source: 'kspp', archs: ['x86_64'],
    title: 'IOMMU forced on', param: 'iommu', value: 'force',
    rationale: 'Forces IOMMU use.',
    waivers: [{ reason: `no IOMMU in this VM; ${UNKNOWN_PARAM}` }],
  },
  {
    id: 'cmdline-iommu-strict', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'IOMMU strict invalidation', param: 'iommu.strict', value: '1',
    rationale: 'Synchronous IOMMU TLB invalidation.',
    waivers: [{ reason: 'no IOMMU in this VM (rule iommu-support)' }],
  },
  {
    id: 'cmdline-iommu-passthrough', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No IOMMU passthrough', param: 'iommu.passthrough', value: '0',
    rationale: 'DMA always translated.',
    waivers: [{ reason: 'no IOMMU in this VM (rule iommu-support)' }],
  },
  {
    id: 'cmdline-vsyscall', kind: 'cmdline', section: 'cmdline', source: 'kspp', archs: ['x86_64'],
    title: 'No vsyscall page', param: 'vsyscall', value: 'none',
    rationale: 'Removes the vsyscall page at boot.',
    waivers: [{ reason: `X86_VSYSCALL_EMULATION=n (rule no-x86-vsyscall-emulation) removes vsyscall at build time; ${UNKNOWN_PARAM}` }],
  },
  {
    id: 'cmdline-vdso32', kind: 'cmdline', section: 'cmdline', source: 'kspp', archs: ['x86_64'],
    title: 'No 32-bit vDSO', param: 'vdso32', value: '0',
    rationale: 'No vDSO for 32-bit tasks.',
    waivers: [{ reason: `IA32_EMULATION=n (rule no-ia32-emulation): there are no 32-bit tasks; ${UNKNOWN_PARAM}` }],
  },
  {
    id: 'cmdline-debugfs-off', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'debugfs off', param: 'debugfs', value: 'off',
    rationale: 'Turns debugfs off at boot.',
    waivers: [{ reason: `DEBUG_FS=n (rule no-debugfs) removes debugfs at build time; ${UNKNOWN_PARAM}` }],
  },
  {
    id: 'cmdline-sysctl-kptr-restrict', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Kernel pointers hidden', param: 'sysctl.kernel.kptr_restrict', value: '2',
    rationale: '%pK prints zeros even for root: no kernel address leaks through /proc or the log (the default 0 hashes them only for some).',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-yama-ptrace-scope', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No ptrace', param: 'sysctl.kernel.yama.ptrace_scope', value: '3',
    rationale:
      'Yama scope 3: no process may ptrace another, and the setting cannot be lowered until reboot. Debuggers and ' +
      'strace do not work inside the guest; ptrace has been a recurring privilege-escalation vector.',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-protected-symlinks', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Protected symlinks', param: 'sysctl.fs.protected_symlinks', value: '1',
    rationale: 'No following other users\' symlinks in sticky world-writable directories. The kernel default is 0 (systemd usually sets it; this guest has no systemd).',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-protected-hardlinks', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Protected hardlinks', param: 'sysctl.fs.protected_hardlinks', value: '1',
    rationale: 'No hardlinks to files one cannot write. Kernel default 0 (systemd usually sets it).',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-protected-fifos', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Protected FIFOs', param: 'sysctl.fs.protected_fifos', value: '2',
    rationale: 'No opening other users\' FIFOs in sticky directories with O_CREAT. Kernel default 0.',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-protected-regular', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Protected regular files', param: 'sysctl.fs.protected_regular', value: '2',
    rationale: 'No opening other users\' regular files in sticky directories with O_CREAT. Kernel default 0.',
    checks: ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'],
  },
  {
    id: 'cmdline-sysctl-dmesg-restrict', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'dmesg restriction', param: 'sysctl.kernel.dmesg_restrict', value: '1',
    rationale: 'Only root reads the kernel log.',
    waivers: [{ reason: 'SECURITY_DMESG_RESTRICT=y (rule dmesg-restrict) makes 1 the default; test_dmesg_restricted checks it' }],
  },
  {
    id: 'cmdline-sysctl-perf-event-paranoid', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'perf_event_open restricted', param: 'sysctl.kernel.perf_event_paranoid', value: '3',
    rationale: 'No perf_event_open for unprivileged users.',
    waivers: [{ reason: 'built in: SECURITY_PERF_EVENTS_RESTRICT=y on x86_64 (rule x86-perf-events-restrict), PERF_EVENTS=n on arm64 (rule no-perf-events)' }],
  },
  {
    id: 'cmdline-sysctl-max-user-namespaces', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No user namespaces', param: 'sysctl.user.max_user_namespaces', value: '0',
    rationale: 'No unprivileged user namespaces.',
    waivers: [{ reason: 'USER_NS=n (rule no-user-ns) removes them at build time' }],
  },
  {
    id: 'cmdline-sysctl-ldisc-autoload', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No TTY line discipline autoload', param: 'sysctl.dev.tty.ldisc_autoload', value: '0',
    rationale: 'No autoloading line disciplines.',
    waivers: [{ reason: 'LDISC_AUTOLOAD=n (rule no-ldisc-autoload) makes 0 the default, and without modules nothing can be loaded anyway' }],
  },
  {
    id: 'cmdline-sysctl-legacy-tiocsti', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No TIOCSTI', param: 'sysctl.dev.tty.legacy_tiocsti', value: '0',
    rationale: 'No faking terminal input.',
    waivers: [{ reason: 'LEGACY_TIOCSTI=n (rule no-legacy-tiocsti) makes 0 the default on 6.12; 6.1 has neither the option nor the sysctl' }],
  },
  {
    id: 'cmdline-sysctl-kexec-load-disabled', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'kexec disabled', param: 'sysctl.kernel.kexec_load_disabled', value: '1',
    rationale: 'No kexec after boot.',
    waivers: [{ reason: 'KEXEC=n and KEXEC_FILE=n (rules no-kexec, no-kexec-file): the sysctl does not exist' }],
  },
  {
    id: 'cmdline-sysctl-unprivileged-bpf-disabled', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No unprivileged BPF', param: 'sysctl.kernel.unprivileged_bpf_disabled', value: '1',
    rationale: 'No bpf() for unprivileged users.',
    waivers: [{ reason: 'BPF_SYSCALL=n (rule no-bpf-syscall): there is no bpf() at all' }],
  },
  {
    id: 'cmdline-sysctl-unprivileged-userfaultfd', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No unprivileged userfaultfd', param: 'sysctl.vm.unprivileged_userfaultfd', value: '0',
    rationale: 'No userfaultfd for unprivileged users.',
    waivers: [{ reason: 'USERFAULTFD=n (rule no-userfaultfd): there is no userfaultfd at all' }],
  },
  {
    id: 'cmdline-sysctl-modules-disabled', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Module loading disabled', param: 'sysctl.kernel.modules_disabled', value: '1',
    rationale: 'No module loading after boot.',
    waivers: [{ reason: 'MODULES=n (rule no-modules): the sysctl does not exist' }],
  },
  {
    id: 'cmdline-sysctl-sysrq', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'SysRq disabled', param: 'sysctl.kernel.sysrq', value: '0',
    rationale: 'No magic SysRq functions.',
    waivers: [{ reason: 'MAGIC_SYSRQ=n (rule no-magic-sysrq): the sysctl does not exist' }],
  },
  {
    id: 'cmdline-sysctl-suid-dumpable', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No core dumps of setuid programs', param: 'sysctl.fs.suid_dumpable', value: '0',
    rationale: 'Privileged processes never dump core.',
    waivers: [{ reason: 'the kernel default is 0, and COREDUMP is off in this kernel' }],
  },
  {
    id: 'cmdline-sysctl-randomize-va-space', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Full userspace ASLR', param: 'sysctl.kernel.randomize_va_space', value: '2',
    rationale: 'Stack, mmap, vDSO and brk randomized.',
    waivers: [{ reason: 'the kernel default is 2 with COMPAT_BRK=n (rule no-compat-brk)' }],
  },
  {
    id: 'cmdline-sysctl-bpf-jit-harden', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Hardened BPF JIT', param: 'sysctl.net.core.bpf_jit_harden', value: '2',
    rationale: 'Constant blinding in JITed BPF.',
    waivers: [{ reason: 'BPF_JIT is off: seccomp and socket filters run in the interpreter, so there is no JIT to harden' }],
  },
]) satisfies readonly Rule<string, CheckName>[];
