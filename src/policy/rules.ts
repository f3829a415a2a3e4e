import type { CheckName } from './checks.ts';
import { type Rule, defineRules } from './define.ts';

// The hardening policy, one rule per Kconfig symbol, command line parameter or
// guest property, grouped by the spec's tables. Renames, removals and
// toolchain limits are written into each rule's rationale and `symbol` map.

const HARDEN_BP_GONE = {
  absent:
    'HARDEN_BRANCH_PREDICTOR was removed in 5.10 by the arm64 Spectre rework (arch/arm64/kernel/proton-pack.c): ' +
    'branch predictor hardening is always built in',
};

const COMPILE_TIME =
  'a compile-time property of the kernel image with no userspace interface; the host audit of the build .config verifies it';

const RULE_TABLE = defineRules([
  // ---- Disabled subsystems (spec table 1) ----------------------------------------
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
    checks: ['test_no_debugfs'],
  },
  {
    id: 'no-kallsyms', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'Kernel symbols', symbol: 'KALLSYMS', value: 'n',
    rationale: 'Hides kernel addresses, preserves KASLR effectiveness.',
    checks: ['test_no_kallsyms'],
  },
  {
    id: 'no-io-uring', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'io_uring', symbol: 'IO_URING', value: 'n',
    rationale: 'High CVE count; unnecessary in a sandboxed VM.',
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
    title: 'x32 ABI', symbol: 'X86_X32_ABI', value: 'n', archs: ['x86_64'],
    rationale:
      'The other way COMPAT gets enabled on x86_64: the x32 ABI (32-bit pointers on 64-bit syscalls) is a ' +
      'second legacy syscall table. Not in the spec table, but the spec\'s COMPAT=n cannot hold without it.',
    unobservable: 'exercising x32 needs an x32 binary; the doctor probes i386 and AArch32 only, so the host audit covers it',
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
    checks: ['test_no_nfs'],
  },
  {
    id: 'no-network-filesystems', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'NFS', symbol: 'NETWORK_FILESYSTEMS', value: 'n',
    rationale: 'No remote filesystems (the whole menu: NFS, CIFS, 9p, Ceph, ...).',
    checks: ['test_no_nfs'],
  },
  {
    id: 'no-scsi', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'SCSI/ATA', symbol: 'SCSI', value: 'n',
    rationale: 'VirtIO only; no legacy block drivers.',
    checks: ['test_no_scsi_ata'],
  },
  {
    id: 'no-ata', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: 'SCSI/ATA', symbol: 'ATA', value: 'n',
    rationale: 'VirtIO only; no legacy block drivers.',
    checks: ['test_no_scsi_ata'],
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
    checks: ['test_no_real_nics'],
  },
  {
    id: 'no-proc-kcore', kind: 'kconfig', section: 'disabled-subsystems', source: 'spec',
    title: '/proc/kcore', symbol: 'PROC_KCORE', value: 'n',
    rationale:
      'The spec\'s runtime table requires no /proc/kcore (an ELF core image of kernel memory); PROC_KCORE is ' +
      'the option that creates it.',
    checks: ['test_no_proc_kcore'],
  },

  // ---- Memory mitigations (spec table 2) -------------------------------------------
  {
    id: 'init-on-alloc', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Heap zeroing', symbol: 'INIT_ON_ALLOC_DEFAULT_ON', value: 'y',
    rationale: 'Every kmalloc returns zeroed memory; prevents info leaks.',
    unobservable: 'the built-in default has no userspace interface (the doctor checks the init_on_alloc=1 boot parameter instead)',
  },
  {
    id: 'slab-freelist-random', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Slab freelist randomization', specName: 'SLAB_FREELIST_RANDOMIZE', symbol: 'SLAB_FREELIST_RANDOM', value: 'y',
    rationale:
      'Randomizes freed slab object order; defeats heap spraying. The spec writes SLAB_FREELIST_RANDOMIZE; the ' +
      'real symbol (mm/Kconfig, 6.1 and 6.12) is SLAB_FREELIST_RANDOM.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'slab-freelist-hardened', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Slab freelist hardening', symbol: 'SLAB_FREELIST_HARDENED', value: 'y',
    rationale: 'Validates freelist metadata; detects heap corruption.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'shuffle-page-allocator', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Page allocator shuffle', symbol: 'SHUFFLE_PAGE_ALLOCATOR', value: 'y',
    rationale:
      'Randomizes page allocation order. The option only builds the shuffle code; it runs when page_alloc.shuffle=1 ' +
      'is on the command line (cmdline-page-alloc-shuffle).',
    unobservable: 'the doctor checks the page_alloc.shuffle=1 boot parameter; whether the code is built in is visible only in the .config',
  },
  {
    id: 'hardened-usercopy', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Hardened usercopy', symbol: 'HARDENED_USERCOPY', value: 'y',
    rationale: 'Validates copy_to_user/copy_from_user bounds.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'strict-kernel-rwx', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Strict kernel RWX', symbol: 'STRICT_KERNEL_RWX', value: 'y',
    rationale: 'Enforces W^X on kernel memory pages.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'vmap-stack', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Virtual mapped stacks', symbol: 'VMAP_STACK', value: 'y',
    rationale: 'Kernel stacks as virtual memory; detects overflow via guard pages.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'randomize-base', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'KASLR', symbol: 'RANDOMIZE_BASE', value: 'y',
    rationale:
      'Randomizes kernel load address. On x86_64 it depends on RELOCATABLE, which allnoconfig turns off: without ' +
      'it RANDOMIZE_BASE is silently dropped, so it is requested too.',
    requires: [{ symbol: 'RELOCATABLE', value: 'y' }],
    unobservable: 'with KALLSYMS=n and kptr_restrict no kernel address reaches userspace to compare across boots',
  },
  {
    id: 'stackprotector', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Stack protector', symbol: 'STACKPROTECTOR', value: 'y',
    rationale: 'Stack canaries on functions with character arrays.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'stackprotector-strong', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Stack protector', symbol: 'STACKPROTECTOR_STRONG', value: 'y',
    rationale: 'Stack canaries on all functions with local arrays or address-taken locals.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'fortify-source', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'FORTIFY_SOURCE', symbol: 'FORTIFY_SOURCE', value: 'y',
    rationale: 'Compile-time buffer overflow detection.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'dmesg-restrict', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'dmesg restriction', symbol: 'SECURITY_DMESG_RESTRICT', value: 'y',
    rationale: 'Only root can read kernel log.',
    checks: ['test_dmesg_restricted'],
  },
  {
    id: 'no-compat-brk', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Heap ASLR', symbol: 'COMPAT_BRK', value: 'n',
    rationale: 'Enables full heap randomization (brk is randomized; COMPAT_BRK=y keeps it fixed for libc5).',
    unobservable: 'brk randomization shows only statistically across many processes; the host audit covers it',
  },
  {
    id: 'seccomp', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Seccomp', symbol: 'SECCOMP', value: 'y',
    rationale: 'Userspace syscall filtering (defense in depth).',
    checks: ['test_seccomp_available'],
  },
  {
    id: 'seccomp-filter', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Seccomp', symbol: 'SECCOMP_FILTER', value: 'y',
    rationale: 'Userspace syscall filtering with BPF programs (defense in depth).',
    checks: ['test_seccomp_available'],
  },

  // ---- Architecture-specific hardening (spec table 3) ----------------------------------
  {
    id: 'arm64-bti', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch Target Identification', symbol: 'ARM64_BTI', value: 'y',
    rationale:
      'Restricts indirect branch targets (BTI landing pads) for userspace that is built with BTI. ARM64_BTI is ' +
      'the user-space part; the kernel\'s own code is protected only by ARM64_BTI_KERNEL (rule arm64-bti-kernel), ' +
      'which needs clang.',
    unobservable: 'needs BTI-capable hardware and BTI-built binaries; the host audit covers it',
  },
  {
    id: 'arm64-bti-kernel', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch Target Identification', specName: 'ARM64_BTI', symbol: 'ARM64_BTI_KERNEL', value: 'y',
    toolchain: 'clang',
    rationale:
      'BTI for the kernel itself. arch/arm64/Kconfig (6.1 and 6.12): "depends on !CC_IS_GCC" because of GCC bug ' +
      '106671, so it exists only with clang; under gcc it is waived.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-ptr-auth', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Pointer Authentication', symbol: 'ARM64_PTR_AUTH', value: 'y',
    rationale: 'Pointer authentication for userspace (signed return addresses); defeats ROP chains.',
    unobservable: 'needs PAC-capable hardware (QEMU TCG max CPU has it, Apple VZ too); the host audit covers it',
  },
  {
    id: 'arm64-ptr-auth-kernel', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Pointer Authentication', symbol: 'ARM64_PTR_AUTH_KERNEL', value: 'y',
    rationale:
      'Signs the kernel\'s own return addresses; defeats ROP chains. Needs a compiler with ' +
      '-mbranch-protection=pac-ret and binutils >= 2.33.1 (Debian 12 gcc 12 / binutils 2.40 qualify).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-unmap-kernel-at-el0', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Kernel unmapping at EL0', symbol: 'UNMAP_KERNEL_AT_EL0', value: 'y',
    rationale:
      'Removes kernel pages from userspace page tables (arm64 KPTI, Meltdown). Still its own symbol in 6.1 and ' +
      '6.12, but its prompt is "if EXPERT": without EXPERT it is default y and invisible.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'arm64-harden-branch-predictor', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch predictor hardening', symbol: {
      '6.1': HARDEN_BP_GONE,
      '6.12': HARDEN_BP_GONE,
    },
    value: 'y',
    rationale:
      'Flushes branch predictor on context switch. The symbol no longer exists: since 5.10 the arm64 Spectre-v2 ' +
      'mitigation is always built in and reported in /sys/devices/system/cpu/vulnerabilities/spectre_v2.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-page-table-isolation', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['x86_64'],
    title: 'Page Table Isolation (KPTI)', specName: 'PAGE_TABLE_ISOLATION',
    symbol: { '6.1': 'PAGE_TABLE_ISOLATION', '6.12': 'MITIGATION_PAGE_TABLE_ISOLATION' }, value: 'y',
    rationale:
      'Meltdown mitigation; separate kernel/user page tables. Renamed MITIGATION_PAGE_TABLE_ISOLATION in 6.9; ' +
      'lives under the CPU_MITIGATIONS menu, which allnoconfig switches off.',
    requires: [{ symbol: 'CPU_MITIGATIONS', value: 'y' }],
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-retpoline', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['x86_64'],
    title: 'Retpoline', specName: 'RETPOLINE',
    symbol: { '6.1': 'RETPOLINE', '6.12': 'MITIGATION_RETPOLINE' }, value: 'y',
    rationale: 'Spectre v2 mitigation; replaces indirect branches. Renamed MITIGATION_RETPOLINE in 6.9.',
    requires: [{ symbol: 'CPU_MITIGATIONS', value: 'y' }],
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },

  // ---- Boot command line (spec table 4) ------------------------------------------------
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
    title: 'Read-only rootfs', param: 'ro', value: true,
    rationale: 'Mount rootfs read-only; squashfs is structurally immutable.',
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
    title: 'Slab isolation', param: 'slab_nomerge', value: true,
    rationale: 'Prevents kernel from merging slab caches; isolates allocations by type.',
    checks: ['test_slab_nomerge'],
  },
  {
    id: 'cmdline-page-alloc-shuffle', kind: 'cmdline', section: 'cmdline', source: 'spec',
    title: 'Page shuffle', param: 'page_alloc.shuffle', value: '1',
    rationale: 'Randomizes page allocator at boot (complements SHUFFLE_PAGE_ALLOCATOR).',
    checks: ['test_page_alloc_shuffle'],
  },

  // ---- Guest image properties (spec table 5, the runtime checks) -----------------------------
  {
    id: 'guest-squashfs-root', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Squashfs rootfs',
    rationale: 'The lower layer is a squashfs image on /dev/vda: structurally immutable, no writes possible.',
    checks: ['test_squashfs_is_immutable'],
  },
  {
    id: 'guest-overlay-root', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Overlay configured',
    rationale: 'Root is an overlay: squashfs lowerdir, tmpfs upperdir; writes vanish with the VM.',
    checks: ['test_overlay_configured'],
  },
  {
    id: 'guest-no-real-nics', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No real NICs',
    rationale: 'Only lo and dummy0 exist: the VM is air-gapped.',
    checks: ['test_no_real_nics'],
  },
  {
    id: 'guest-no-setuid', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No setuid binaries',
    rationale: 'No file in the image can raise privileges on exec.',
    checks: ['test_no_setuid_binaries'],
  },
  {
    id: 'guest-no-setgid', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No setgid binaries',
    rationale: 'No file in the image can change group on exec.',
    checks: ['test_no_setgid_binaries'],
  },
  {
    id: 'guest-binaries-read-only', kind: 'guest', section: 'guest', source: 'spec',
    title: 'Guest binaries read-only',
    rationale: 'All capsem binaries are chmod 555 on the read-only lower layer: an agent cannot replace them.',
    checks: ['test_guest_binary_not_writable'],
  },
  {
    id: 'guest-no-sshd', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No sshd', rationale: 'No remote login daemon.', checks: ['test_no_sshd'],
  },
  {
    id: 'guest-no-cron', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No cron', rationale: 'No scheduled jobs that outlive the agent\'s task.', checks: ['test_no_cron'],
  },
  {
    id: 'guest-no-systemd', kind: 'guest', section: 'guest', source: 'spec',
    title: 'No systemd', rationale: 'A minimal init only; no service manager surface.', checks: ['test_no_systemd'],
  },
]) satisfies readonly Rule<string, CheckName>[];

export type RuleId = (typeof RULE_TABLE)[number]['id'];
/** The rules, widened for iteration (the literal table above only feeds the RuleId type). */
export const RULES: readonly Rule<RuleId, CheckName>[] = RULE_TABLE;
