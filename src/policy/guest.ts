// The guest's contract: where things live and what the VM may contain.
// The rootfs builder, init, the doctor and the host all read these values.

/** One mount capsem-init makes, as /proc/mounts shows it after switch_root. */
export interface GuestMount {
  source: string;
  mountpoint: string;
  fstype: string;
  /** Flags init passes and the doctor requires (the kernel adds its own, e.g. relatime). */
  flags: readonly string[];
  /** tmpfs root mode init passes (/proc/mounts prints it without the leading 0). */
  mode?: string;
}

const ROOT_DEVICE = '/dev/vda';

export const GUEST = {
  /** The immutable root filesystem: a read-only virtio-blk disk. */
  rootDevice: ROOT_DEVICE,
  /** The only network interfaces allowed in the guest, with the kind each must be. */
  allowedNics: ['lo', 'dummy0'],
  /** ARPHRD_* (/sys/class/net/N/type) of each allowed NIC: lo is loopback (772), dummy0 an ethernet-type virtual device (1). */
  nicTypes: { lo: 772, dummy0: 1 },
  /** The only block device: the root disk, read-only. */
  blockDevices: ['vda'],
  /**
   * virtio device ids (/sys/bus/virtio/devices/N/device) of what the launcher
   * attaches (src/guest/qemu.ts): one virtio-blk (2) and one virtio-serial (3)
   * carrying the result port (and, on arm64, the console).
   */
  virtioDevices: { x86_64: ['0x0002', '0x0003'], arm64: ['0x0002', '0x0003'] },
  /**
   * Exactly the filesystem types the policy kernel registers (/proc/filesystems):
   * what the guest mounts, plus the kernel's internal pipefs/sockfs/ramfs and
   * devpts (UNIX98_PTYS). Anything else (9p, cifs, nfs, debugfs, ...) is extra.
   */
  filesystems: ['sysfs', 'tmpfs', 'proc', 'devtmpfs', 'sockfs', 'pipefs', 'ramfs', 'devpts', 'squashfs', 'overlay'],
  /** Where the overlay's layers are mounted in stage 1 (the overlay options keep these paths) and moved to after switch_root. */
  overlayLayers: { lower: { stage1: '/lower', final: '/mnt/lower' }, rw: { stage1: '/rw', final: '/mnt/rw' } },
  /** Every mount capsem-init makes, in order; /proc/mounts must show exactly these. */
  mounts: [
    { source: 'proc', mountpoint: '/proc', fstype: 'proc', flags: ['nosuid', 'nodev', 'noexec'] },
    { source: 'sysfs', mountpoint: '/sys', fstype: 'sysfs', flags: ['nosuid', 'nodev', 'noexec'] },
    { source: 'devtmpfs', mountpoint: '/dev', fstype: 'devtmpfs', flags: ['nosuid', 'noexec'] },
    { source: ROOT_DEVICE, mountpoint: '/mnt/lower', fstype: 'squashfs', flags: ['ro'] },
    { source: 'tmpfs', mountpoint: '/mnt/rw', fstype: 'tmpfs', flags: [], mode: '0755' },
    { source: 'overlay', mountpoint: '/', fstype: 'overlay', flags: [] },
    { source: 'tmpfs', mountpoint: '/run', fstype: 'tmpfs', flags: ['nosuid', 'nodev'], mode: '0755' },
  ] satisfies readonly GuestMount[] as readonly GuestMount[],
  /** Where capsem's own binaries live (all mode 0555, root-owned, on the squashfs lower layer). */
  capsemBinDir: '/usr/local/bin',
  capsemBinaries: ['capsem-doctor', 'capsem-probe', 'capsem-init'],
  /** The virtio-serial port name of the doctor's result channel (never the console). */
  resultPort: 'org.capsem.doctor',
  /** Processes that must not run in the guest (the spec's names; the process allowlist covers any other). */
  forbiddenProcesses: { sshd: ['sshd'], cron: ['cron', 'crond'], systemd: ['systemd'] },
} as const;
