import type { CheckName } from '../policy/index.ts';

// A guest variant is data: the real guest is the empty variant, and every test
// mutant (for the doctor's mutation suite and the result-channel tests) is a
// few fields on top of it. Build-time fields change the images (and so their
// cache key); boot-time fields change what capsem-init does before the doctor,
// or the command line.

/** A file added to the squashfs after the builder's enforcement pass (mutants only). */
export interface ExtraFile {
  /** Absolute path in the guest. */
  path: string;
  mode: number;
  /** Text content, or `copyOf` a path already in the tree (e.g. '/bin/busybox'). */
  content?: string;
  copyOf?: string;
}

/** How the new root is put together. */
export type RootLayout =
  /** The real guest: squashfs /dev/vda (ro) as lower, tmpfs upper and work, overlay as /. */
  | 'overlay'
  /** Mutant: switch_root straight into the read-only squashfs (no overlay). */
  | 'squashfs-only'
  /** Mutant: the lower layer is a tmpfs copy of the squashfs, which is then unmounted. */
  | 'overlay-on-tmpfs'
  /** Mutant: the real overlay with a second, hidden lower layer (a tmpfs left outside the new root). */
  | 'overlay-second-lower';

/** What capsem-init does with the doctor's verdict. */
export type ResultMode =
  /** The real guest: `capsem-doctor --send` frames the report onto the result port. */
  | 'send'
  /** Mutant: run the doctor, send nothing, power off. */
  | 'none'
  /** Mutant: write bytes that are not a frame to the result port. */
  | 'garbage'
  /** Mutant: neither run the doctor nor power off (for the wall-clock limit). */
  | 'hang'
  /** Mutant: run the doctor, but send REPLAY_FRAME (a verdict recorded on an earlier boot, added as an extra file). */
  | 'replay';

/** Where a replay mutant's recorded frame lives in the guest. */
export const REPLAY_FRAME = '/usr/share/capsem/replay.frame';

export interface GuestVariant {
  /** Stable id: part of cache keys and file names ('default' for the real guest). */
  id: string;
  description: string;
  /** Doctor checks this variant must make fail (empty for the real guest). */
  breaks: readonly CheckName[];
  // --- build time (rootfs/initramfs) ---
  /** Added after enforcement; the final scan's findings are recorded in the manifest, not fatal. */
  extraFiles?: readonly ExtraFile[];
  /** Mode of capsem's own binaries (the real guest: 0o555). */
  capsemBinaryMode?: number;
  /** Files (guest paths; a `*` segment matches any entry) altered after the doctor's manifest is written: one byte appended. */
  tamper?: readonly string[];
  root?: RootLayout;
  // --- boot time (capsem-init, before the doctor) ---
  /** Processes started before the doctor, under these names (e.g. 'sshd'). */
  extraProcesses?: readonly string[];
  /** Copies of busybox capsem-init makes before the doctor, with these modes (on a writable mount: /dev, /run); `fileCap`: the probe gives it a security.capability xattr. */
  runtimeFiles?: readonly { path: string; mode: number; fileCap?: boolean }[];
  /** capsem-init starts the doctor under a seccomp filter (the probe's `confine`). */
  confineDoctor?: boolean;
  /** Files (shell globs, alternatives: at least one must match) capsem-init opens for writing before the doctor: overlayfs copies each up to the tmpfs upper layer. */
  copyUp?: readonly string[];
  /** Extra dummy NICs created next to dummy0. */
  extraNics?: readonly string[];
  /** QEMU `-device` arguments added at boot (a device the launcher never attaches). */
  qemuDevices?: readonly string[];
  /** Swap the names of lo and dummy0: the allowed names on the wrong kinds of NIC. */
  swapNics?: boolean;
  result?: ResultMode;
  // --- boot command line ---
  cmdline?: { drop?: readonly string[]; append?: readonly string[] };
}

export const DEFAULT_VARIANT: GuestVariant = { id: 'default', description: 'the real guest', breaks: [] };

/** True when the variant changes nothing the builder enforces or the guest does. */
export function isDefaultVariant(v: GuestVariant): boolean {
  return v.id === DEFAULT_VARIANT.id;
}

/**
 * Combines variants into one: lists concatenate, scalars take the last value
 * that is set, ids join with '+'. Composing with DEFAULT_VARIANT is a no-op.
 */
export function composeVariants(...variants: GuestVariant[]): GuestVariant {
  const parts = variants.filter((v) => !isDefaultVariant(v));
  if (parts.length === 0) return DEFAULT_VARIANT;
  if (parts.length === 1) return parts[0]!;
  const out: GuestVariant = {
    id: parts.map((v) => v.id).join('+'),
    description: parts.map((v) => v.description).join('; '),
    breaks: [...new Set(parts.flatMap((v) => v.breaks))],
  };
  const cat = <T>(pick: (v: GuestVariant) => readonly T[] | undefined): T[] | undefined => {
    const all = parts.flatMap((v) => pick(v) ?? []);
    return all.length ? all : undefined;
  };
  const last = <T>(pick: (v: GuestVariant) => T | undefined): T | undefined =>
    parts.map(pick).filter((x) => x !== undefined).at(-1);
  const extraFiles = cat((v) => v.extraFiles);
  const extraProcesses = cat((v) => v.extraProcesses);
  const extraNics = cat((v) => v.extraNics);
  const qemuDevices = cat((v) => v.qemuDevices);
  const runtimeFiles = cat((v) => v.runtimeFiles);
  const copyUp = cat((v) => v.copyUp);
  const tamper = cat((v) => v.tamper);
  const drop = cat((v) => v.cmdline?.drop);
  const append = cat((v) => v.cmdline?.append);
  const capsemBinaryMode = last((v) => v.capsemBinaryMode);
  const root = last((v) => v.root);
  const result = last((v) => v.result);
  const swapNics = last((v) => v.swapNics);
  const confineDoctor = last((v) => v.confineDoctor);
  if (extraFiles) out.extraFiles = extraFiles;
  if (extraProcesses) out.extraProcesses = extraProcesses;
  if (extraNics) out.extraNics = extraNics;
  if (qemuDevices) out.qemuDevices = qemuDevices;
  if (runtimeFiles) out.runtimeFiles = runtimeFiles;
  if (copyUp) out.copyUp = copyUp;
  if (tamper) out.tamper = tamper;
  if (confineDoctor) out.confineDoctor = confineDoctor;
  if (drop || append) out.cmdline = { ...(drop ? { drop } : {}), ...(append ? { append } : {}) };
  if (capsemBinaryMode !== undefined) out.capsemBinaryMode = capsemBinaryMode;
  if (root) out.root = root;
  if (result) out.result = result;
  if (swapNics) out.swapNics = swapNics;
  return out;
}

/** The fields that change the rootfs and initramfs images (their cache key). */
export function buildInputsOf(v: GuestVariant): object {
  return {
    extraFiles: v.extraFiles ?? [],
    capsemBinaryMode: v.capsemBinaryMode ?? 0o555,
    root: v.root ?? 'overlay',
    extraProcesses: v.extraProcesses ?? [],
    extraNics: v.extraNics ?? [],
    runtimeFiles: v.runtimeFiles ?? [],
    copyUp: v.copyUp ?? [],
    tamper: v.tamper ?? [],
    confineDoctor: v.confineDoctor ?? false,
    swapNics: v.swapNics ?? false,
    result: v.result ?? 'send',
  };
}

/**
 * Applies a variant's edits to the policy command line: `drop` removes every
 * token whose key (before '=') matches, `append` adds tokens at the end
 * (the kernel takes the last value, so appending overrides).
 */
export function editCmdline(base: string, v: GuestVariant): string {
  const drop = new Set(v.cmdline?.drop ?? []);
  const kept = base.split(/\s+/).filter((t) => t && !drop.has(t.split('=')[0]!));
  return [...kept, ...(v.cmdline?.append ?? [])].join(' ');
}

// Mutants: each removes one property the doctor proves, so each check has a failing guest.
const busyboxCopy = (path: string, mode: number): ExtraFile => ({ path, mode, copyOf: '/bin/busybox' });

export const MUTANTS = {
  setuidFile: {
    id: 'setuid-file',
    description: 'a setuid-root copy of busybox on the squashfs',
    breaks: ['test_no_setuid_binaries'],
    extraFiles: [busyboxCopy('/usr/bin/suid-busybox', 0o4755)],
  },
  setuidInDev: {
    id: 'setuid-in-dev',
    description: 'a setuid-root copy of busybox made in /dev (devtmpfs) before the doctor',
    breaks: ['test_no_setuid_binaries'],
    runtimeFiles: [{ path: '/dev/.suid-busybox', mode: 0o4755 }],
  },
  setgidFile: {
    id: 'setgid-file',
    description: 'a setgid copy of busybox on the squashfs',
    breaks: ['test_no_setgid_binaries'],
    extraFiles: [busyboxCopy('/usr/bin/sgid-busybox', 0o2755)],
  },
  writableCapsemBinary: {
    id: 'writable-capsem-binary',
    description: 'capsem binaries mode 0755 (owner-writable)',
    breaks: ['test_guest_binary_not_writable'],
    capsemBinaryMode: 0o755,
  },
  worker: {
    id: 'worker',
    description: 'a long-running process with an unremarkable name (worker)',
    breaks: ['test_process_allowlist'],
    extraProcesses: ['worker'],
  },
  doctorLibraryAltered: {
    id: 'doctor-library-altered',
    description: 'the doctor\'s runtime altered on the squashfs after its manifest was written (libc for node, the static QuickJS runtime)',
    breaks: ['test_guest_binary_not_writable'],
    tamper: ['/lib/*/libc.so.6', '/usr/lib/capsem/capsem-doctor-rt'],
  },
  fileCapability: {
    id: 'file-capability',
    description: 'a copy of busybox in /run given a security.capability xattr (cap_net_raw) before the doctor',
    breaks: ['test_no_file_capabilities'],
    runtimeFiles: [{ path: '/run/.cap-busybox', mode: 0o755, fileCap: true }],
  },
  doctorConfined: {
    id: 'doctor-confined',
    description: 'the doctor started under a seccomp filter that answers ENOSYS for the syscalls it probes',
    // Every check: a confined doctor must report error, never pass (see GUEST_MUTANTS).
    breaks: [],
    confineDoctor: true,
  },
  doctorLibraryCopiedUp: {
    id: 'doctor-library-copied-up',
    description: 'the doctor\'s runtime (libc for node, the static QuickJS runtime) copied up to the writable upper layer before the doctor',
    breaks: ['test_guest_binary_not_writable'],
    copyUp: ['/lib/*-linux-gnu/libc.so.6', '/usr/lib/capsem/capsem-doctor-rt'],
  },
  sshd: {
    id: 'sshd',
    description: 'a process named sshd running before the doctor',
    breaks: ['test_no_sshd', 'test_process_allowlist'],
    extraProcesses: ['sshd'],
  },
  cron: {
    id: 'cron',
    description: 'a process named cron running before the doctor',
    breaks: ['test_no_cron', 'test_process_allowlist'],
    extraProcesses: ['cron'],
  },
  systemd: {
    id: 'systemd',
    description: 'a process named systemd running before the doctor',
    breaks: ['test_no_systemd', 'test_process_allowlist'],
    extraProcesses: ['systemd'],
  },
  extraVirtioDevice: {
    id: 'extra-virtio-rng',
    description: 'QEMU attaches a virtio-rng device the launcher never adds (device id 4)',
    breaks: ['test_virtio_devices'],
    qemuDevices: ['virtio-rng-device'],
  },
  extraNic: {
    id: 'extra-nic',
    description: 'a second dummy NIC (dummy1)',
    breaks: ['test_no_real_nics'],
    extraNics: ['dummy1'],
  },
  swappedNics: {
    id: 'swapped-nics',
    description: 'lo and dummy0 swap names: the allowed names on the wrong kinds',
    breaks: ['test_no_real_nics'],
    swapNics: true,
  },
  rootNotOverlay: {
    id: 'root-not-overlay',
    description: 'root is the squashfs itself, no overlay',
    breaks: ['test_overlay_configured', 'test_mount_table'],
    root: 'squashfs-only',
  },
  lowerNotSquashfs: {
    id: 'lower-not-squashfs',
    description: 'overlay lower layer is a tmpfs copy; /dev/vda unmounted',
    // With /dev/vda unmounted there is no read-only layer to hold the capsem binaries either.
    breaks: ['test_squashfs_is_immutable', 'test_guest_binary_not_writable', 'test_overlay_configured', 'test_mount_table'],
    root: 'overlay-on-tmpfs',
  },
  secondLower: {
    id: 'second-lower',
    description: 'the overlay has a second lowerdir (a tmpfs outside the new root)',
    breaks: ['test_overlay_configured'],
    root: 'overlay-second-lower',
  },
  cmdlineNoRo: {
    id: 'cmdline-no-ro',
    description: 'boot command line without ro',
    breaks: ['test_kernel_cmdline_has_ro'],
    cmdline: { drop: ['ro'] },
  },
  cmdlineInitOnAllocOff: {
    id: 'cmdline-init-on-alloc-0',
    description: 'init_on_alloc=0 appended (the last value wins)',
    breaks: ['test_init_on_alloc', 'test_kernel_log_hardening'],
    cmdline: { append: ['init_on_alloc=0'] },
  },
  cmdlineNoSlabNomerge: {
    id: 'cmdline-no-slab-nomerge',
    description: 'boot command line without slab_nomerge',
    breaks: ['test_slab_nomerge'],
    cmdline: { drop: ['slab_nomerge'] },
  },
  cmdlineNoPageShuffle: {
    id: 'cmdline-no-page-shuffle',
    description: 'page_alloc.shuffle=0 appended',
    breaks: ['test_page_alloc_shuffle', 'test_kernel_defaults_in_effect'],
    cmdline: { append: ['page_alloc.shuffle=0'] },
  },
  noResult: {
    id: 'no-result',
    description: 'runs the doctor but sends nothing, then powers off',
    breaks: [],
    result: 'none',
  },
  hang: {
    id: 'hang',
    description: 'never sends and never powers off',
    breaks: [],
    result: 'hang',
  },
  garbageResult: {
    id: 'garbage-result',
    description: 'writes bytes that are not a frame to the result port',
    breaks: [],
    result: 'garbage',
  },
} as const satisfies Record<string, GuestVariant>;
