import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';

// The spec's "Disabled subsystems" table: code removed from the kernel binary, which no
// runtime flag can bring back. One rule per Kconfig symbol.

export const DISABLED_SUBSYSTEMS = defineRules([
  {
    id: 'no-modules', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Loadable modules', symbol: 'MODULES', value: 'n',
    rationale: 'Prevents loading .ko files; even root cannot extend the kernel.',
    checks: ['test_no_kernel_modules', 'test_proc_modules_empty'],
  },
  {
    id: 'no-devmem', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '/dev/mem', symbol: 'DEVMEM', value: 'n',
    rationale: 'Blocks direct physical memory access from userspace.',
    checks: ['test_no_dev_mem'],
  },
  {
    id: 'no-devport', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '/dev/port', symbol: 'DEVPORT', value: 'n',
    rationale: 'Blocks I/O port access.',
    checks: ['test_no_dev_port'],
  },
  {
    id: 'no-debugfs', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'debugfs', symbol: 'DEBUG_FS', value: 'n',
    rationale: 'Kernel debug info leak vector.',
    checks: ['test_no_debugfs', 'test_filesystems_allowlist'],
  },
  {
    id: 'no-kallsyms', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Kernel symbols', symbol: 'KALLSYMS', value: 'n',
    rationale:
      'Hides kernel addresses, preserves KASLR effectiveness. Its prompt is "if EXPERT": without EXPERT=y it is ' +
      'forced on (default y), so EXPERT is requested with it.',
    requires: [{ symbol: 'EXPERT', value: 'y' }],
    checks: ['test_no_kallsyms'],
  },
  {
    id: 'no-io-uring', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'io_uring', symbol: 'IO_URING', value: 'n',
    rationale:
      'High CVE count; unnecessary in a sandboxed VM. Its prompt is "if EXPERT": without EXPERT=y it is forced on.',
    requires: [{ symbol: 'EXPERT', value: 'y' }],
    checks: ['test_no_io_uring'],
  },
  {
    id: 'no-bpf-syscall', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'BPF syscall', symbol: 'BPF_SYSCALL', value: 'n',
    rationale: 'Exploitation vector for privilege escalation.',
    checks: ['test_no_bpf_syscall'],
  },
  {
    id: 'no-userfaultfd', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'userfaultfd', symbol: 'USERFAULTFD', value: 'n',
    rationale: 'Used in race condition exploits.',
    checks: ['test_no_userfaultfd'],
  },
  {
    id: 'no-compat', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '32-bit compat', symbol: 'COMPAT', value: 'n',
    rationale:
      'Eliminates the entire legacy syscall attack surface. On x86_64 COMPAT has no prompt: it is derived ' +
      '(def_bool y if IA32_EMULATION || X86_X32_ABI), so it holds only through no-ia32-emulation and no-x32-abi; ' +
      'on arm64 it is a user option (AArch32 EL0 support).',
    checks: ['test_no_32bit_exec'],
  },
  {
    id: 'no-ia32-emulation', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '32-bit compat', symbol: 'IA32_EMULATION', value: 'n', archs: ['x86_64'],
    rationale: 'Eliminates the i386 syscall entry points (int 0x80, sysenter, 32-bit syscall).',
    checks: ['test_no_32bit_exec'],
  },
  {
    id: 'no-x32-abi', kind: 'kconfig', section: 'disabled-subsystems', source: 'capsem',
    title: 'x32 ABI', specName: 'X86_X32', symbol: 'X86_X32_ABI', value: 'n', archs: ['x86_64'],
    rationale:
      'The other way COMPAT gets enabled on x86_64: the x32 ABI (32-bit pointers on 64-bit syscalls) is a ' +
      'second legacy syscall table. Not in the spec table, but the spec\'s COMPAT=n cannot hold without it. ' +
      'KSPP still lists the old name X86_X32, renamed X86_X32_ABI before 6.1.',
    checks: ['test_no_x32_abi'],
  },
  {
    id: 'no-kexec', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'kexec', symbol: 'KEXEC', value: 'n',
    rationale: 'No kernel hot-swap.',
    checks: ['test_no_kexec'],
  },
  {
    id: 'no-kexec-file', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'kexec', symbol: 'KEXEC_FILE', value: 'n',
    rationale: 'No kernel hot-swap (kexec_file_load).',
    checks: ['test_no_kexec'],
  },
  {
    id: 'no-hibernation', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Hibernation', symbol: 'HIBERNATION', value: 'n',
    rationale: 'No suspend-to-disk (memory dump vector).',
    checks: ['test_no_hibernation'],
  },
  {
    id: 'no-magic-sysrq', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Magic SysRq', symbol: 'MAGIC_SYSRQ', value: 'n',
    rationale: 'No emergency keyboard commands (and no /proc/sysrq-trigger).',
    checks: ['test_no_sysrq_trigger'],
  },
  {
    id: 'no-ipv6', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'IPv6', symbol: 'IPV6', value: 'n',
    rationale: 'Unnecessary in air-gapped VM; reduces IP stack surface.',
    checks: ['test_no_ipv6'],
  },
  {
    id: 'no-ip-multicast', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Multicast', symbol: 'IP_MULTICAST', value: 'n',
    rationale: 'No multicast traffic.',
    checks: ['test_no_multicast'],
  },
  {
    id: 'no-nftables', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'nftables', symbol: 'NF_TABLES', value: 'n',
    rationale:
      'Use iptables-legacy only (simpler, smaller). The guest needs no packet filter at all (air-gapped, dummy NIC ' +
      'only), so NETFILTER itself stays off under allnoconfig and NF_TABLES cannot be enabled.',
    unobservable: 'only a netlink NFNL_SUBSYS_NFTABLES probe would show it; the doctor does not speak netlink, the host audit covers it',
  },
  {
    id: 'no-usb', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'USB', symbol: 'USB_SUPPORT', value: 'n',
    rationale: 'No USB devices in VM.',
    checks: ['test_no_usb'],
  },
  {
    id: 'no-sound', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Sound', symbol: 'SOUND', value: 'n',
    rationale: 'No audio hardware.',
    checks: ['test_no_sound'],
  },
  {
    id: 'no-drm', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'DRM/GPU', symbol: 'DRM', value: 'n',
    rationale: 'No graphics hardware.',
    checks: ['test_no_drm'],
  },
  {
    id: 'no-wlan', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'WiFi/Bluetooth', symbol: 'WLAN', value: 'n',
    rationale: 'No wireless hardware (WLAN: the wireless LAN driver menu).',
    checks: ['test_no_wireless'],
  },
  {
    id: 'no-wireless', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'WiFi/Bluetooth', symbol: 'WIRELESS', value: 'n',
    rationale: 'No wireless hardware (WIRELESS: cfg80211/mac80211 stack).',
    checks: ['test_no_wireless'],
  },
  {
    id: 'no-bluetooth', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'WiFi/Bluetooth', symbol: 'BT', value: 'n',
    rationale: 'No wireless hardware (Bluetooth stack).',
    checks: ['test_no_wireless'],
  },
  {
    id: 'no-input-keyboard', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Keyboard/Mouse', symbol: 'INPUT_KEYBOARD', value: 'n',
    rationale: 'No HID devices.',
    checks: ['test_no_input_devices'],
  },
  {
    id: 'no-input-mouse', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Keyboard/Mouse', symbol: 'INPUT_MOUSE', value: 'n',
    rationale: 'No HID devices.',
    checks: ['test_no_input_devices'],
  },
  {
    id: 'no-nfs', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'NFS', symbol: 'NFS_FS', value: 'n',
    rationale: 'No remote filesystems.',
    checks: ['test_no_nfs', 'test_filesystems_allowlist'],
  },
  {
    id: 'no-network-filesystems', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'NFS', symbol: 'NETWORK_FILESYSTEMS', value: 'n',
    rationale: 'No remote filesystems (the whole menu: NFS, CIFS, 9p, Ceph, ...).',
    checks: ['test_no_nfs', 'test_filesystems_allowlist'],
  },
  {
    id: 'no-scsi', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'SCSI/ATA', symbol: 'SCSI', value: 'n',
    rationale: 'VirtIO only; no legacy block drivers.',
    checks: ['test_no_scsi_ata', 'test_block_devices'],
  },
  {
    id: 'no-ata', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'SCSI/ATA', symbol: 'ATA', value: 'n',
    rationale: 'VirtIO only; no legacy block drivers.',
    checks: ['test_no_scsi_ata', 'test_block_devices'],
  },
  {
    id: 'no-ethernet', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Ethernet', symbol: 'ETHERNET', value: 'n',
    rationale: 'Air-gapped; only dummy NIC.',
    checks: ['test_no_real_nics'],
  },
  {
    id: 'no-virtio-net', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Ethernet', specName: 'NET_VENDOR_VIRTIO', symbol: 'VIRTIO_NET', value: 'n',
    rationale:
      'Air-gapped; only dummy NIC. The spec names NET_VENDOR_VIRTIO, which never existed in any kernel: the ' +
      'virtio NIC driver is VIRTIO_NET (drivers/net/Kconfig), outside the ETHERNET vendor menus, so ETHERNET=n ' +
      'alone does not remove it.',
    checks: ['test_no_real_nics', 'test_virtio_devices'],
  },
  {
    id: 'no-proc-kcore', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '/proc/kcore', symbol: 'PROC_KCORE', value: 'n',
    rationale:
      'The spec\'s runtime table requires no /proc/kcore (an ELF core image of kernel memory); PROC_KCORE is ' +
      'the option that creates it.',
    checks: ['test_no_proc_kcore'],
  },
]) satisfies readonly Rule<string, CheckName>[];
