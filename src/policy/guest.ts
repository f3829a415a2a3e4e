// The guest's contract: where things live and what the VM may contain.
// The rootfs builder, init, the doctor and the host all read these values.

export const GUEST = {
  /** The immutable root filesystem: a read-only virtio-blk disk. */
  rootDevice: '/dev/vda',
  /** The only network interfaces allowed in the guest. */
  allowedNics: ['lo', 'dummy0'],
  /** Where capsem's own binaries live (all mode 0555, root-owned, on the squashfs lower layer). */
  capsemBinDir: '/usr/local/bin',
  capsemBinaries: ['capsem-doctor', 'capsem-probe', 'capsem-init'],
  /** The virtio-serial port name of the doctor's result channel (never the console). */
  resultPort: 'org.capsem.doctor',
  /** Processes that must not run in the guest. */
  forbiddenProcesses: { sshd: ['sshd'], cron: ['cron', 'crond'], systemd: ['systemd'] },
} as const;
