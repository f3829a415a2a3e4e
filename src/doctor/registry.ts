// Every check, explicitly: a sorted map from name to its file's export.
// The completeness test holds this equal to the files in checks/ and to the
// policy's CHECKS; the runner runs them in the policy's order.

import { CHECKS, type CheckName } from '../policy/index.ts';
import type { Check } from './define.ts';
import testBlockDevices from './checks/test_block_devices.ts';
import testBootParamsConsumed from './checks/test_boot_params_consumed.ts';
import testCpuFeatures from './checks/test_cpu_features.ts';
import testCpuVulnerabilitiesMitigated from './checks/test_cpu_vulnerabilities_mitigated.ts';
import testDmesgRestricted from './checks/test_dmesg_restricted.ts';
import testFilesystemsAllowlist from './checks/test_filesystems_allowlist.ts';
import testGuestBinaryNotWritable from './checks/test_guest_binary_not_writable.ts';
import testInitOnAlloc from './checks/test_init_on_alloc.ts';
import testKernelCmdlineExact from './checks/test_kernel_cmdline_exact.ts';
import testKernelCmdlineHardening from './checks/test_kernel_cmdline_hardening.ts';
import testKernelCmdlineHasRo from './checks/test_kernel_cmdline_has_ro.ts';
import testKernelCmdlineRoot from './checks/test_kernel_cmdline_root.ts';
import testKernelDefaultsInEffect from './checks/test_kernel_defaults_in_effect.ts';
import testKernelLogHardening from './checks/test_kernel_log_hardening.ts';
import testMountTable from './checks/test_mount_table.ts';
import testNo32bitExec from './checks/test_no_32bit_exec.ts';
import testNoBpfSyscall from './checks/test_no_bpf_syscall.ts';
import testNoCron from './checks/test_no_cron.ts';
import testNoDebugfs from './checks/test_no_debugfs.ts';
import testNoDevMem from './checks/test_no_dev_mem.ts';
import testNoDevPort from './checks/test_no_dev_port.ts';
import testNoDrm from './checks/test_no_drm.ts';
import testNoFileCapabilities from './checks/test_no_file_capabilities.ts';
import testNoHibernation from './checks/test_no_hibernation.ts';
import testNoInputDevices from './checks/test_no_input_devices.ts';
import testNoIoUring from './checks/test_no_io_uring.ts';
import testNoIpv6 from './checks/test_no_ipv6.ts';
import testNoKallsyms from './checks/test_no_kallsyms.ts';
import testNoKernelModules from './checks/test_no_kernel_modules.ts';
import testNoKexec from './checks/test_no_kexec.ts';
import testNoMulticast from './checks/test_no_multicast.ts';
import testNoNfs from './checks/test_no_nfs.ts';
import testNoProcKcore from './checks/test_no_proc_kcore.ts';
import testNoRealNics from './checks/test_no_real_nics.ts';
import testNoScsiAta from './checks/test_no_scsi_ata.ts';
import testNoSetgidBinaries from './checks/test_no_setgid_binaries.ts';
import testNoSetuidBinaries from './checks/test_no_setuid_binaries.ts';
import testNoSound from './checks/test_no_sound.ts';
import testNoSshd from './checks/test_no_sshd.ts';
import testNoSysrqTrigger from './checks/test_no_sysrq_trigger.ts';
import testNoSystemd from './checks/test_no_systemd.ts';
import testNoUsb from './checks/test_no_usb.ts';
import testNoUserfaultfd from './checks/test_no_userfaultfd.ts';
import testNoWireless from './checks/test_no_wireless.ts';
import testNoX32Abi from './checks/test_no_x32_abi.ts';
import testOverlayConfigured from './checks/test_overlay_configured.ts';
import testPageAllocShuffle from './checks/test_page_alloc_shuffle.ts';
import testProcModulesEmpty from './checks/test_proc_modules_empty.ts';
import testProcessAllowlist from './checks/test_process_allowlist.ts';
import testSeccompAvailable from './checks/test_seccomp_available.ts';
import testSlabNomerge from './checks/test_slab_nomerge.ts';
import testSquashfsIsImmutable from './checks/test_squashfs_is_immutable.ts';
import testSysctlHardening from './checks/test_sysctl_hardening.ts';
import testVirtioDevices from './checks/test_virtio_devices.ts';

export const REGISTRY: Record<CheckName, Check> = {
  test_block_devices: testBlockDevices,
  test_boot_params_consumed: testBootParamsConsumed,
  test_cpu_features: testCpuFeatures,
  test_cpu_vulnerabilities_mitigated: testCpuVulnerabilitiesMitigated,
  test_dmesg_restricted: testDmesgRestricted,
  test_filesystems_allowlist: testFilesystemsAllowlist,
  test_guest_binary_not_writable: testGuestBinaryNotWritable,
  test_init_on_alloc: testInitOnAlloc,
  test_kernel_cmdline_exact: testKernelCmdlineExact,
  test_kernel_cmdline_hardening: testKernelCmdlineHardening,
  test_kernel_cmdline_has_ro: testKernelCmdlineHasRo,
  test_kernel_cmdline_root: testKernelCmdlineRoot,
  test_kernel_defaults_in_effect: testKernelDefaultsInEffect,
  test_kernel_log_hardening: testKernelLogHardening,
  test_mount_table: testMountTable,
  test_no_32bit_exec: testNo32bitExec,
  test_no_bpf_syscall: testNoBpfSyscall,
  test_no_cron: testNoCron,
  test_no_debugfs: testNoDebugfs,
  test_no_dev_mem: testNoDevMem,
  test_no_dev_port: testNoDevPort,
  test_no_drm: testNoDrm,
  test_no_file_capabilities: testNoFileCapabilities,
  test_no_hibernation: testNoHibernation,
  test_no_input_devices: testNoInputDevices,
  test_no_io_uring: testNoIoUring,
  test_no_ipv6: testNoIpv6,
  test_no_kallsyms: testNoKallsyms,
  test_no_kernel_modules: testNoKernelModules,
  test_no_kexec: testNoKexec,
  test_no_multicast: testNoMulticast,
  test_no_nfs: testNoNfs,
  test_no_proc_kcore: testNoProcKcore,
  test_no_real_nics: testNoRealNics,
  test_no_scsi_ata: testNoScsiAta,
  test_no_setgid_binaries: testNoSetgidBinaries,
  test_no_setuid_binaries: testNoSetuidBinaries,
  test_no_sound: testNoSound,
  test_no_sshd: testNoSshd,
  test_no_sysrq_trigger: testNoSysrqTrigger,
  test_no_systemd: testNoSystemd,
  test_no_usb: testNoUsb,
  test_no_userfaultfd: testNoUserfaultfd,
  test_no_wireless: testNoWireless,
  test_no_x32_abi: testNoX32Abi,
  test_overlay_configured: testOverlayConfigured,
  test_page_alloc_shuffle: testPageAllocShuffle,
  test_proc_modules_empty: testProcModulesEmpty,
  test_process_allowlist: testProcessAllowlist,
  test_seccomp_available: testSeccompAvailable,
  test_slab_nomerge: testSlabNomerge,
  test_squashfs_is_immutable: testSquashfsIsImmutable,
  test_sysctl_hardening: testSysctlHardening,
  test_virtio_devices: testVirtioDevices,
};

/** All checks in the policy's order (the spec's table first). */
export const ALL_CHECKS: readonly Check[] = CHECKS.map((c) => REGISTRY[c.name]);
