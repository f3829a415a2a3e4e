// The mutation suite's table, as data: each mutant weakens the guest in one
// known way, and names exactly the doctor checks that must then fail. A check
// that no mutant can make fail is listed in NOT_SHOWN_BY_A_MUTANT with why.
//
// Kernel mutants: ONE kernel per arch, built from the policy plus every
// weakening below (buildKernel's test-only extraFragment + allowAuditFailures),
// booted with the real guest: the checks that fail must be exactly the union.
// Guest mutants: the policy kernel with a guest variant (src/guest/variant.ts).

import { ALL_CHECKS } from '../../src/doctor/registry.ts';
import { plannedChecks } from '../../src/doctor/runner.ts';
import { MUTANTS, type GuestVariant } from '../../src/guest/index.ts';
import { ARCHS, type Arch, CHECKS, type CheckName, DEFAULT_KERNEL } from '../../src/policy/index.ts';

type PerArch<T> = Record<Arch, T>;
const both = <T>(v: T): PerArch<T> => ({ x86_64: v, arm64: v });

export interface KernelWeakening {
  /** What is turned back on. */
  what: string;
  /** Fragment lines, applied after the policy's (each must survive olddefconfig). */
  lines: PerArch<readonly string[]>;
  /** The checks it alone makes fail. */
  breaks: readonly CheckName[];
}

const LOCKDOWN_OFF = ['# CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY is not set', 'CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE=y'];

export const KERNEL_WEAKENINGS: readonly KernelWeakening[] = [
  { what: 'loadable modules', lines: both(['CONFIG_MODULES=y']), breaks: ['test_no_kernel_modules'] },
  { what: 'debugfs', lines: both(['CONFIG_DEBUG_FS=y']), breaks: ['test_no_debugfs'] },
  // SIT would add a sit0 NIC and break test_no_real_nics too.
  { what: 'IPv6 (without SIT)', lines: both(['CONFIG_IPV6=y', '# CONFIG_IPV6_SIT is not set']), breaks: ['test_no_ipv6'] },
  { what: 'kallsyms', lines: both(['CONFIG_KALLSYMS=y']), breaks: ['test_no_kallsyms'] },
  { what: '/dev/mem', lines: both(['CONFIG_DEVMEM=y']), breaks: ['test_no_dev_mem'] },
  { what: '/dev/port', lines: both(['CONFIG_DEVPORT=y']), breaks: ['test_no_dev_port'] },
  // The policy's forced lockdown (confidentiality) makes /proc/kcore unopenable (EPERM) and hides
  // hibernation: both would still pass. These mutants need lockdown off to show their checks fail.
  { what: '/proc/kcore', lines: both(['CONFIG_PROC_KCORE=y', ...LOCKDOWN_OFF]), breaks: ['test_no_proc_kcore'] },
  { what: 'io_uring', lines: both(['CONFIG_IO_URING=y']), breaks: ['test_no_io_uring'] },
  { what: 'BPF syscall', lines: both(['CONFIG_BPF_SYSCALL=y']), breaks: ['test_no_bpf_syscall'] },
  { what: 'userfaultfd', lines: both(['CONFIG_USERFAULTFD=y']), breaks: ['test_no_userfaultfd'] },
  { what: 'kexec', lines: both(['CONFIG_KEXEC=y', 'CONFIG_KEXEC_FILE=y']), breaks: ['test_no_kexec'] },
  {
    what: '32-bit compat',
    lines: { x86_64: ['CONFIG_IA32_EMULATION=y'], arm64: ['CONFIG_COMPAT=y'] },
    breaks: ['test_no_32bit_exec'],
  },
  { what: 'magic SysRq', lines: both(['CONFIG_MAGIC_SYSRQ=y']), breaks: ['test_no_sysrq_trigger'] },
  { what: 'hibernation', lines: both(['CONFIG_SWAP=y', 'CONFIG_HIBERNATION=y', ...LOCKDOWN_OFF]), breaks: ['test_no_hibernation'] },
  { what: 'unrestricted dmesg', lines: both(['# CONFIG_SECURITY_DMESG_RESTRICT is not set']), breaks: ['test_dmesg_restricted'] },
  { what: 'seccomp', lines: both(['# CONFIG_SECCOMP is not set', '# CONFIG_SECCOMP_FILTER is not set']), breaks: ['test_seccomp_available'] },
  // The command line still asks for kernel.yama.ptrace_scope=3: only the read-back can tell.
  { what: 'Yama', lines: both(['# CONFIG_SECURITY_YAMA is not set']), breaks: ['test_sysctl_hardening'] },
  // Its boot line goes (lockdown's too: LOCKDOWN_OFF above).
  { what: 'x32 ABI', lines: { x86_64: ['CONFIG_X86_X32_ABI=y'], arm64: [] }, breaks: ['test_no_x32_abi'] },
  { what: 'Landlock', lines: both(['# CONFIG_SECURITY_LANDLOCK is not set']), breaks: ['test_kernel_log_hardening'] },
  // The command line still says hardened_usercopy=1: the kernel no longer knows it and hands it to init.
  { what: 'hardened usercopy', lines: both(['# CONFIG_HARDENED_USERCOPY is not set']), breaks: ['test_boot_params_consumed'] },
  { what: 'USB', lines: both(['CONFIG_USB_SUPPORT=y', 'CONFIG_USB=y']), breaks: ['test_no_usb'] },
  { what: 'sound', lines: both(['CONFIG_SOUND=y']), breaks: ['test_no_sound'] },
  { what: 'DRM', lines: both(['CONFIG_DRM=y']), breaks: ['test_no_drm'] },
  {
    what: 'WiFi and Bluetooth',
    lines: both(['CONFIG_WIRELESS=y', 'CONFIG_CFG80211=y', 'CONFIG_BT=y']),
    breaks: ['test_no_wireless'],
  },
  { what: 'SCSI and ATA', lines: both(['CONFIG_SCSI=y', 'CONFIG_ATA=y']), breaks: ['test_no_scsi_ata'] },
  // NFS (and debugfs, and BPF's bpf fs) are also filesystem types beyond the policy's set.
  { what: 'NFS', lines: both(['CONFIG_NETWORK_FILESYSTEMS=y', 'CONFIG_NFS_FS=y']), breaks: ['test_no_nfs', 'test_filesystems_allowlist'] },
  // Eight loop devices appear in /sys/block at boot (BLK_DEV_LOOP_MIN_COUNT).
  { what: 'loop block devices', lines: both(['CONFIG_BLK_DEV_LOOP=y']), breaks: ['test_block_devices'] },
  { what: 'IP multicast', lines: both(['CONFIG_IP_MULTICAST=y']), breaks: ['test_no_multicast'] },
];

export const WEAKENED_KERNEL_ID = 'weakened-kernel';

export function weakeningFragment(arch: Arch): string {
  const lines = KERNEL_WEAKENINGS.flatMap((w) => [`# ${w.what}`, ...w.lines[arch]]);
  return ['# TEST ONLY: the doctor mutation suite (test/e2e/mutants.ts)', ...lines, ''].join('\n');
}

export const WEAKENED_KERNEL_BREAKS: readonly CheckName[] = [...new Set(KERNEL_WEAKENINGS.flatMap((w) => w.breaks))];

export interface GuestMutant {
  /** How it is made: a guest variant booted with the policy kernel. */
  variant: GuestVariant;
  /** Exactly the checks that must fail, per arch. */
  breaks: PerArch<readonly CheckName[]>;
  /** What those checks must report: `fail` (the default), or `error` where the doctor cannot trust what it sees. */
  status?: 'fail' | 'error';
  /** The arches it is booted on (default: every arch the suite runs), for a property only one arch has. */
  archs?: readonly Arch[];
}

/** Every check the doctor runs on `arch` with the default kernel. */
const plannedOn = (arch: Arch): CheckName[] =>
  plannedChecks(ALL_CHECKS, { arch, kernel: DEFAULT_KERNEL, toolchain: 'gcc' }).run.map((c) => c.check.name);

const cmdlineMutant = (id: string, description: string, append: string[]): GuestVariant => ({
  id,
  description,
  breaks: [],
  cmdline: { append },
});

/** norandmaps turns userspace ASLR off: randomize_va_space reads 0. */
const NORANDMAPS_BREAKS: readonly CheckName[] = ['test_kernel_cmdline_exact', 'test_kernel_defaults_in_effect'];

export const GUEST_MUTANTS: readonly GuestMutant[] = [
  { variant: MUTANTS.setuidFile, breaks: both(['test_no_setuid_binaries']) },
  { variant: MUTANTS.setuidInDev, breaks: both(['test_no_setuid_binaries']) },
  { variant: MUTANTS.setgidFile, breaks: both(['test_no_setgid_binaries']) },
  { variant: MUTANTS.writableCapsemBinary, breaks: both(['test_guest_binary_not_writable']) },
  { variant: MUTANTS.doctorLibraryCopiedUp, breaks: both(['test_guest_binary_not_writable']) },
  // Still the lower layer's own inode, size and mode: only its sha256 against the image's manifest tells.
  { variant: MUTANTS.doctorLibraryAltered, breaks: both(['test_guest_binary_not_writable']) },
  { variant: MUTANTS.fileCapability, breaks: both(['test_no_file_capabilities']) },
  // The `self` precondition: a filtered doctor cannot tell ENOSYS from its filter, so nothing passes.
  { variant: MUTANTS.doctorConfined, breaks: { x86_64: plannedOn('x86_64'), arm64: plannedOn('arm64') }, status: 'error' },
  // The spec's names are a subset of the process allowlist: each also fails it.
  { variant: MUTANTS.worker, breaks: both(['test_process_allowlist']) },
  { variant: MUTANTS.sshd, breaks: both(['test_no_sshd', 'test_process_allowlist']) },
  { variant: MUTANTS.cron, breaks: both(['test_no_cron', 'test_process_allowlist']) },
  { variant: MUTANTS.systemd, breaks: both(['test_no_systemd', 'test_process_allowlist']) },
  { variant: MUTANTS.extraNic, breaks: both(['test_no_real_nics']) },
  { variant: MUTANTS.extraVirtioDevice, breaks: both(['test_virtio_devices']) },
  { variant: MUTANTS.swappedNics, breaks: both(['test_no_real_nics']) },
  // The squashfs at / is still immutable, and the binaries are on it: the overlay and the mount table fail.
  { variant: MUTANTS.rootNotOverlay, breaks: both(['test_overlay_configured', 'test_mount_table']) },
  // The tmpfs copy is writable, so the binaries are no longer on a read-only layer either.
  {
    variant: MUTANTS.lowerNotSquashfs,
    breaks: both(['test_squashfs_is_immutable', 'test_guest_binary_not_writable', 'test_overlay_configured', 'test_mount_table']),
  },
  { variant: MUTANTS.secondLower, breaks: both(['test_overlay_configured']) },
  { variant: MUTANTS.cmdlineNoRo, breaks: both(['test_kernel_cmdline_has_ro', 'test_kernel_cmdline_exact']) },
  // The kernel acted on it: its mem auto-init line says heap alloc:off.
  { variant: MUTANTS.cmdlineInitOnAllocOff, breaks: both(['test_init_on_alloc', 'test_kernel_cmdline_exact', 'test_kernel_log_hardening']) },
  { variant: MUTANTS.cmdlineNoSlabNomerge, breaks: both(['test_slab_nomerge', 'test_kernel_cmdline_exact']) },
  { variant: MUTANTS.cmdlineNoPageShuffle, breaks: both(['test_page_alloc_shuffle', 'test_kernel_cmdline_exact', 'test_kernel_defaults_in_effect']) },
  // The initramfs mounts the root itself, so the kernel never acts on root=; only the check notices.
  { variant: cmdlineMutant('cmdline-root-vdb', 'root=/dev/vdb appended (the last value wins)', ['root=/dev/vdb']), breaks: both(['test_kernel_cmdline_root', 'test_kernel_cmdline_exact']) },
  {
    variant: cmdlineMutant('cmdline-init-on-free-0', 'init_on_free=0 appended', ['init_on_free=0']),
    breaks: both(['test_kernel_cmdline_hardening', 'test_kernel_cmdline_exact', 'test_kernel_log_hardening']),
  },
  {
    // Every CPU QEMU's TCG "max" model emulates needs a mitigation that mitigations=off leaves
    // "Vulnerable": Spectre v1 on x86; on arm64 the kernel detects Spectre-v4 and Spectre-BHB
    // on it (seen on the 6.12 policy kernel, QEMU 7.2; an older note here said CSV2/CSV3 hid it).
    variant: cmdlineMutant('cmdline-mitigations-off', 'mitigations=off appended', ['mitigations=off']),
    // x86_64: mitigations=off also turns page-table isolation off (no pti flag, no isolation line).
    breaks: {
      x86_64: ['test_kernel_cmdline_hardening', 'test_cpu_vulnerabilities_mitigated', 'test_kernel_cmdline_exact', 'test_cpu_features'],
      arm64: ['test_kernel_cmdline_hardening', 'test_cpu_vulnerabilities_mitigated', 'test_kernel_cmdline_exact'],
    },
  },
  // The boot contract: each token below is outside it (the kernel would act on it; presence checks miss it).
  ...(['nopti', 'nokaslr', 'norandmaps', 'sysctl.vm.swappiness=10'] as const).map(
    (token): GuestMutant => ({
      variant: cmdlineMutant(`cmdline-extra-${token.replace(/[^a-z0-9]+/g, '-')}`, `${token} appended (outside the contract)`, [token]),
      breaks:
        token === 'norandmaps'
          ? both(NORANDMAPS_BREAKS)
          : // x86_64 acts on nopti (no pti flag, no isolation); arm64 has no such parameter.
            token === 'nopti'
            ? { x86_64: ['test_kernel_cmdline_exact', 'test_cpu_features'], arm64: ['test_kernel_cmdline_exact'] }
            : both(['test_kernel_cmdline_exact']),
    }),
  ),
  // CPU protections the kernel turns off on request while the CPU still offers them.
  ...(
    [
      ['x86_64', 'clearcpuid=smep,smap,umip', []],
      ['x86_64', 'pti=off', ['test_kernel_cmdline_hardening']],
      ['arm64', 'arm64.nopauth', []],
      ['arm64', 'arm64.nobti', []],
    ] as const
  ).map(
    ([arch, token, more]): GuestMutant => ({
      variant: cmdlineMutant(`cmdline-${token.replace(/[^a-z0-9]+/g, '-')}`, `${token} appended`, [token]),
      breaks: both(['test_cpu_features', 'test_kernel_cmdline_exact', ...more]),
      archs: [arch],
    }),
  ),
];

/** Checks no mutant can make fail on an arch, and why (their failing fixtures are in test/doctor/checks/). */
export const NOT_SHOWN_BY_A_MUTANT: Partial<Record<CheckName, { archs: readonly Arch[]; why: string }>> = {
  test_proc_modules_empty: {
    archs: ARCHS,
    why:
      'needs a module actually loaded (/proc/modules lists loaded modules only): the build would have to make ' +
      'a .ko (make modules) and the guest to insmod it before the doctor; MODULES=y alone leaves it empty ' +
      '(the weakened kernel still fails test_no_kernel_modules through init_module)',
  },
  test_no_input_devices: {
    archs: ARCHS,
    why:
      'the QEMU machines (x86 microvm, arm64 virt) have no keyboard or mouse: a mutant needs a QEMU device hook ' +
      '(-device virtio-keyboard-device) plus CONFIG_VIRTIO_INPUT=y',
  },
};

/** The exact set of checks each mutant must fail, for one arch (used by the suite and the table test). */
export function expectedFailures(arch: Arch): { id: string; breaks: readonly CheckName[] }[] {
  return [
    { id: WEAKENED_KERNEL_ID, breaks: WEAKENED_KERNEL_BREAKS },
    // A mutant whose checks must be errors shows none of them failing.
    ...GUEST_MUTANTS.filter((m) => (m.status ?? 'fail') === 'fail' && (m.archs ?? ARCHS).includes(arch)).map((m) => ({ id: m.variant.id, breaks: m.breaks[arch] })),
  ];
}

export const ALL_CHECK_NAMES: readonly CheckName[] = CHECKS.map((c) => c.name);
