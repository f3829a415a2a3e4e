import { type Feature, defineFeatures } from './define.ts';

// What the VM needs to boot and run the guest (Node.js agent, capsem-doctor).
// Not hardening, but requested just as loudly: allnoconfig drops anything not
// asked for, often silently (a menu symbol left off hides everything under it).

const FEATURE_TABLE = defineFeatures([
  {
    id: 'base-64bit', title: '64-bit kernel', archs: ['x86_64'],
    why: 'allnoconfig on x86 builds i386 unless 64BIT is requested.',
    options: [{ symbol: '64BIT', value: 'y' }],
  },
  {
    id: 'kernel-lz4', title: 'LZ4-compressed bzImage', archs: ['x86_64'],
    why: 'Decompressing the bzImage is most of QEMU start -> kernel start under emulation; LZ4 decompresses several times faster than the default gzip (arm64 boots an uncompressed Image).',
    options: [{ symbol: 'KERNEL_LZ4', value: 'y' }],
  },
  {
    id: 'smp', title: 'Multiple CPUs', archs: ['x86_64'],
    why: 'The VM has several vCPUs and Node.js runs worker threads; allnoconfig builds a uniprocessor x86 kernel (arm64 is always SMP).',
    options: [{ symbol: 'SMP', value: 'y' }],
  },
  {
    id: 'timers', title: 'High resolution timers, tickless idle',
    why: 'setTimeout and timerfd need sub-jiffy precision; an idle guest should not wake its host 250 times a second.',
    options: [
      { symbol: 'HIGH_RES_TIMERS', value: 'y' },
      { symbol: 'NO_HZ_IDLE', value: 'y' },
    ],
  },
  {
    id: 'base-full', title: 'Full-size core data structures',
    why: 'With EXPERT, 6.1 allnoconfig turns BASE_FULL off, i.e. BASE_SMALL (PID limit 4096, tiny hash tables). 6.12 has an opt-in BASE_SMALL instead.',
    options: [{ symbol: [{ name: 'BASE_FULL' }, { from: '6.9', absent: 'removed in 6.9, replaced by an opt-in BASE_SMALL (default n)' }], value: 'y' }],
  },
  {
    id: 'console-output', title: 'Kernel log and TTYs',
    why: 'Boot log, panics and the console the doctor transcript is mirrored on.',
    options: [
      { symbol: 'PRINTK', value: 'y' },
      { symbol: 'TTY', value: 'y' },
    ],
  },
  {
    id: 'serial-console', title: '8250 serial console', archs: ['x86_64'],
    why: 'console=ttyS0 on x86_64: the first UART of q35/microvm.',
    options: [
      { symbol: 'SERIAL_8250', value: 'y' },
      { symbol: 'SERIAL_8250_CONSOLE', value: 'y' },
    ],
  },
  {
    id: 'pci', title: 'PCI bus',
    why: 'virtio-pci devices (q35 on x86_64, -M virt on arm64).',
    options: [{ symbol: 'PCI', value: 'y' }],
  },
  {
    id: 'pci-host-generic', title: 'Generic ECAM PCI host', archs: ['arm64'],
    why: 'QEMU -M virt exposes PCI through a generic ECAM host bridge; without it no virtio-pci device is found.',
    options: [{ symbol: 'PCI_HOST_GENERIC', value: 'y' }],
  },
  {
    id: 'virtio', title: 'Virtio transports (PCI and MMIO)',
    why:
      'Every guest device is virtio. PCI for q35 / -M virt; MMIO for x86 microvm, whose devices are declared on ' +
      'the command line (VIRTIO_MMIO_CMDLINE_DEVICES).',
    options: [
      { symbol: 'VIRTIO_MENU', value: 'y' },
      { symbol: 'VIRTIO_PCI', value: 'y' },
      { symbol: 'VIRTIO_MMIO', value: 'y' },
      { symbol: 'VIRTIO_MMIO_CMDLINE_DEVICES', value: 'y' },
    ],
  },
  {
    id: 'virtio-blk', title: 'Virtio block device',
    why: 'The squashfs root is /dev/vda.',
    options: [
      { symbol: 'BLOCK', value: 'y' },
      { symbol: 'BLK_DEV', value: 'y' },
      { symbol: 'VIRTIO_BLK', value: 'y' },
    ],
  },
  {
    id: 'virtio-console', title: 'Virtio console and serial ports',
    why: 'hvc0 is the arm64 console; a named virtio-serial port is the doctor\'s result channel.',
    options: [{ symbol: 'VIRTIO_CONSOLE', value: 'y' }],
  },
  {
    id: 'squashfs', title: 'Squashfs root with zstd',
    why:
      'The read-only root image. SQUASHFS lives under MISC_FILESYSTEMS: without the menu it is silently dropped.',
    options: [
      { symbol: 'MISC_FILESYSTEMS', value: 'y' },
      { symbol: 'SQUASHFS', value: 'y' },
      { symbol: 'SQUASHFS_ZSTD', value: 'y' },
    ],
  },
  {
    id: 'overlayfs', title: 'Overlay filesystem',
    why: 'Root is an overlay of the squashfs (lower) and a tmpfs (upper).',
    options: [{ symbol: 'OVERLAY_FS', value: 'y' }],
  },
  {
    id: 'tmpfs', title: 'tmpfs and shmem',
    why: 'The overlay upper layer, /tmp, /dev/shm; Node.js uses shared memory.',
    options: [
      { symbol: 'SHMEM', value: 'y' },
      { symbol: 'TMPFS', value: 'y' },
      // overlayfs keeps its metadata (whiteouts, opaque dirs) in trusted.* xattrs on the upper layer.
      { symbol: 'TMPFS_XATTR', value: 'y' },
    ],
  },
  {
    id: 'devtmpfs', title: 'devtmpfs',
    why: '/dev populated by the kernel: no udev in the guest.',
    options: [{ symbol: 'DEVTMPFS', value: 'y' }],
  },
  {
    id: 'proc-sysfs', title: 'procfs (with sysctl) and sysfs',
    why: 'The doctor reads /proc and /sys; Node.js reads /proc/self, /proc/cpuinfo, /proc/meminfo.',
    options: [
      { symbol: 'PROC_FS', value: 'y' },
      // 7.3 folded PROC_SYSCTL into SYSCTL (which now has the prompt and needs PROC_FS).
      { symbol: [{ name: 'PROC_SYSCTL' }, { from: '7.3', name: 'SYSCTL' }], value: 'y' },
      { symbol: 'SYSFS', value: 'y' },
    ],
  },
  {
    id: 'initramfs', title: 'Initramfs (gzip)',
    why: 'The early userspace that mounts the overlay root is a gzip cpio initramfs.',
    options: [
      { symbol: 'BLK_DEV_INITRD', value: 'y' },
      { symbol: 'RD_GZIP', value: 'y' },
    ],
  },
  {
    id: 'networking', title: 'Networking core, unix and inet sockets',
    why: 'Node.js needs unix sockets and the loopback inet stack even air-gapped.',
    options: [
      { symbol: 'NET', value: 'y' },
      { symbol: 'UNIX', value: 'y' },
      { symbol: 'INET', value: 'y' },
    ],
  },
  {
    id: 'dummy-nic', title: 'Dummy NIC',
    why: 'dummy0 gives agents a default route that goes nowhere (the only NIC besides lo).',
    options: [
      { symbol: 'NETDEVICES', value: 'y' },
      { symbol: 'NET_CORE', value: 'y' },
      { symbol: 'DUMMY', value: 'y' },
    ],
  },
  {
    id: 'exec-formats', title: 'ELF and #! executables',
    why: 'Every guest program is ELF; scripts start with #!.',
    options: [
      { symbol: 'BINFMT_ELF', value: 'y' },
      { symbol: 'BINFMT_SCRIPT', value: 'y' },
    ],
  },
  {
    id: 'nodejs-syscalls', title: 'Syscalls Node.js (libuv, V8) needs',
    why:
      'libuv uses futex, epoll, eventfd, timerfd, signalfd; V8 uses membarrier and madvise; npm uses file locks; ' +
      'AIO where present; fs.watch needs inotify; uid/gid switching needs MULTIUSER.',
    options: [
      { symbol: 'FUTEX', value: 'y' },
      { symbol: 'EPOLL', value: 'y' },
      { symbol: 'EVENTFD', value: 'y' },
      { symbol: 'TIMERFD', value: 'y' },
      { symbol: 'SIGNALFD', value: 'y' },
      { symbol: 'AIO', value: 'y' },
      { symbol: 'MULTIUSER', value: 'y' },
      { symbol: 'POSIX_TIMERS', value: 'y' },
      { symbol: 'FILE_LOCKING', value: 'y' },
      { symbol: 'ADVISE_SYSCALLS', value: 'y' },
      { symbol: 'MEMBARRIER', value: 'y' },
      { symbol: 'INOTIFY_USER', value: 'y' },
    ],
  },
  {
    id: 'ptys', title: 'Pseudo-terminals (devpts)',
    why: 'Agents run shells and REPLs on a pty (node-pty, script(1)); only the modern UNIX98 interface (LEGACY_PTYS stays off).',
    options: [{ symbol: 'UNIX98_PTYS', value: 'y' }],
  },
  {
    id: 'kvm-guest', title: 'KVM guest support', archs: ['x86_64'],
    why: 'Paravirtual clock and spinlocks on real KVM hosts; harmless under TCG.',
    options: [
      { symbol: 'HYPERVISOR_GUEST', value: 'y' },
      { symbol: 'PARAVIRT', value: 'y' },
      { symbol: 'KVM_GUEST', value: 'y' },
    ],
  },
]);

export type FeatureId = (typeof FEATURE_TABLE)[number]['id'];
export const FEATURES: readonly Feature<FeatureId>[] = FEATURE_TABLE;
