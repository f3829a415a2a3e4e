import { GUEST, SHELL_PARAM } from '../policy/index.ts';
import { type GuestVariant, REPLAY_FRAME } from './variant.ts';

// capsem-init: PID 1 of the guest, one busybox sh script in two places.
// As /init in the initramfs (stage 1) it builds the root: /dev/vda squashfs
// read-only as the overlay's lower layer, a tmpfs for upper and work, and
// switch_root into the overlay. As /usr/local/bin/capsem-init on the squashfs
// (stage 2) it brings up lo and dummy0, runs the doctor before anything else,
// sends the verdict over the result port and reboots: under QEMU's -no-reboot
// a reboot ends the VM, so the guest kernel needs neither ACPI (x86_64) nor
// any power-off driver.
//
// Each stage appends `<stage> <ms since boot>` (from /proc/uptime) to
// $CAPSEM_TIMINGS; stage 1 hands it to stage 2 through the environment and
// stage 2 writes it to TIMINGS_FILE for `capsem-doctor --timings`.

export const INIT_PATH = `${GUEST.capsemBinDir}/capsem-init`;
/**
 * capsem's own static busybox and its applet links: init and the doctor's
 * wrapper run on these, in the initramfs and on the root, so a root with
 * another libc or no shell at all boots the same.
 */
export const CAPSEM_BUSYBOX = '/usr/lib/capsem/busybox';
export const CAPSEM_SHELL_DIR = '/usr/lib/capsem/bin';
export const TIMINGS_FILE = '/run/capsem/timings';

/** Directories of the initramfs that stage 1 uses as mount points. */
export const INITRAMFS_MOUNTPOINTS = ['/proc', '/sys', '/dev', '/lower', '/rw', '/copy', '/newroot'] as const;
/** Directories of the squashfs that stage 1 moves its mounts onto. */
export const ROOT_MOUNTPOINTS = ['/proc', '/sys', '/dev', '/run', '/tmp', '/mnt/lower', '/mnt/rw'] as const;

/** Busybox applets the init script runs (linked in CAPSEM_SHELL_DIR, in the initramfs and on the squashfs). */
export const INIT_APPLETS = ['sh', 'mount', 'umount', 'mkdir', 'cp', 'cat', 'chmod', 'switch_root', 'ip', 'reboot', 'sleep', 'setsid', 'cttyhack'] as const;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const { lower: LOWER, rw: RW } = GUEST.overlayLayers;

/** The contract's mount at `mountpoint` (the doctor compares /proc/mounts with the same table). */
function contractMount(mountpoint: string): (typeof GUEST.mounts)[number] {
  return GUEST.mounts.find((m) => m.mountpoint === mountpoint)!;
}

/** `mount` for the contract's entry at `final`, made at `at` (its stage-1 path before switch_root). */
function mountLine(final: string, at = final): string {
  const m = contractMount(final);
  const opts = [...(m.mode ? [`mode=${m.mode}`] : []), ...m.flags];
  return `mount -t ${m.fstype}${opts.length ? ` -o ${opts.join(',')}` : ''} ${m.source} ${at}`;
}

function stage1Root(variant: GuestVariant): string[] {
  // `lowerdir` is the overlay's option; its first layer is the one moved into the new root.
  const overlay = (lowerdir: string, lower = lowerdir.split(':')[0]!) => [
    `${mountLine(RW.final, RW.stage1)} || die "cannot mount the tmpfs for the overlay"`,
    `mkdir -p ${RW.stage1}/upper ${RW.stage1}/work`,
    `mount -t overlay -o lowerdir=${lowerdir},upperdir=${RW.stage1}/upper,workdir=${RW.stage1}/work overlay /newroot || die "cannot mount the overlay"`,
    // Keep the layers visible in the new root (the doctor proves what / is made of).
    `mount --move ${lower} /newroot${LOWER.final} && mount --move ${RW.stage1} /newroot${RW.final} || die "cannot move the overlay layers"`,
  ];
  switch (variant.root ?? 'overlay') {
    case 'overlay':
      return [
        `${mountLine(LOWER.final, LOWER.stage1)} || die "cannot mount ${GUEST.rootDevice} as squashfs"`,
        ...overlay(LOWER.stage1),
      ];
    case 'squashfs-only':
      return [`${mountLine(LOWER.final, '/newroot')} || die "cannot mount ${GUEST.rootDevice} as squashfs"`];
    case 'overlay-second-lower':
      return [
        `${mountLine(LOWER.final, LOWER.stage1)} || die "cannot mount ${GUEST.rootDevice} as squashfs"`,
        'mkdir -p /extra && mount -t tmpfs tmpfs /extra || die "cannot mount the second lower layer"',
        ...overlay(`${LOWER.stage1}:/extra`),
      ];
    case 'overlay-on-tmpfs':
      return [
        `${mountLine(LOWER.final, LOWER.stage1)} || die "cannot mount ${GUEST.rootDevice} as squashfs"`,
        `mount -t tmpfs -o mode=0755 tmpfs /copy && cp -a ${LOWER.stage1}/. /copy/ && umount ${LOWER.stage1} || die "cannot copy the root to tmpfs"`,
        ...overlay('/copy'),
      ];
  }
}

function stage2BeforeDoctor(variant: GuestVariant): string[] {
  const lines: string[] = [];
  // A read-only root still needs a writable /tmp (the doctor writes scratch files), so only the overlay check differs.
  if (variant.root === 'squashfs-only') lines.push('mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp || die "cannot mount /tmp"');
  if (variant.swapNics) {
    lines.push('ip link set lo down && ip link set dummy0 down && ip link set lo name capsem-tmp && ip link set dummy0 name lo && ip link set capsem-tmp name dummy0 && ip link set lo up && ip link set dummy0 up || die "cannot swap lo and dummy0"');
  }
  // Appending nothing still opens the file for writing: overlayfs copies it up.
  // The globs are alternatives (one image layout has a file another lacks): at least one file must be copied up.
  if (variant.copyUp?.length) {
    lines.push(`n=0; for f in ${variant.copyUp.join(' ')}; do [ -e "$f" ] || continue; : >> "$f" || die "cannot copy up $f"; n=$((n + 1)); done; [ "$n" -gt 0 ] || die "nothing to copy up"`);
  }
  for (const f of variant.runtimeFiles ?? []) {
    const cap = f.fileCap ? ` && ${GUEST.capsemBinDir}/capsem-probe setcap ${q(f.path)}` : '';
    lines.push(`cp ${CAPSEM_BUSYBOX} ${q(f.path)} && chmod ${f.mode.toString(8)} ${q(f.path)}${cap} || die "cannot make ${f.path}"`);
  }
  for (const nic of variant.extraNics ?? []) {
    lines.push(`ip link add ${q(nic)} type dummy && ip link set ${q(nic)} up || die "cannot add ${nic}"`);
  }
  // A process whose comm is NAME: a script named NAME that never execs (comm comes from the file name).
  for (const name of variant.extraProcesses ?? []) {
    lines.push(
      `printf '#!/bin/sh\\nwhile :; do sleep 3600; done\\n' > /run/${name} && chmod 0755 /run/${name} && /run/${name} &`,
    );
  }
  return lines;
}

function stage2Result(variant: GuestVariant): string[] {
  const doctor = `${variant.confineDoctor ? `${GUEST.capsemBinDir}/capsem-probe confine ` : ''}${GUEST.capsemBinDir}/capsem-doctor`;
  switch (variant.result ?? 'send') {
    case 'send':
      // The host gets the report over the result port; printing it on the console too costs seconds of
      // emulated serial output, so only a person at the console (--shell) sees the text.
      return [
        `out=/dev/null; [ -n "\${${SHELL_PARAM}:-}" ] && out=/dev/console`,
        `${doctor} --send --timings ${TIMINGS_FILE} > "$out" || echo "capsem-init: capsem-doctor exited $?"`,
      ];
    case 'none':
      return [`${doctor} > /dev/null 2>&1; echo "capsem-init: result deliberately not sent (variant)"`];
    case 'garbage':
      return [
        `${doctor} > /dev/null 2>&1`,
        'port=$(result_port) || die "no result port"',
        `printf 'capsem says healthy, trust me\\n' > "$port"`,
      ];
    case 'replay':
      return [
        `${doctor} > /dev/null 2>&1`,
        'port=$(result_port) || die "no result port"',
        `cat ${REPLAY_FRAME} > "$port"`,
      ];
    case 'hang':
      return ['echo "capsem-init: hanging on purpose (variant)"', 'while :; do sleep 3600; done'];
  }
}

/** The whole script for one variant. Pure: same variant, same bytes. */
export function initScript(variant: GuestVariant): string {
  const lines = [
    `#!${CAPSEM_SHELL_DIR}/sh`,
    `# capsem-init (variant: ${variant.id}). Generated by src/guest/init.ts; do not edit.`,
    `export PATH=${CAPSEM_SHELL_DIR}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    'T="${CAPSEM_TIMINGS:-}"',
    '# mark STAGE: append "STAGE <ms since boot>" (/proc/uptime has centiseconds).',
    'mark() {',
    '  read -r up _ < /proc/uptime',
    '  ms="${up%.*}${up#*.}0"',
    '  while [ "${ms#0}" != "$ms" ] && [ "${#ms}" -gt 1 ]; do ms="${ms#0}"; done',
    '  T="$T$1 $ms',
    '"',
    '}',
    '# PID 1 must never exit (the kernel would panic): report, then end the VM.',
    'die() {',
    '  echo "capsem-init: $*" > /dev/console',
    `  [ -n "\${${SHELL_PARAM}:-}" ] && setsid cttyhack sh`,
    '  reboot -f',
    '  while :; do sleep 3600; done',
    '}',
    'result_port() {',
    '  for p in /sys/class/virtio-ports/*; do',
    `    [ "$(cat "$p/name" 2>/dev/null)" = ${q(GUEST.resultPort)} ] && { echo "/dev/\${p##*/}"; return 0; }`,
    '  done',
    '  return 1',
    '}',
    '',
    'if [ "$0" = /init ]; then',
    '  # Stage 1: the initramfs.',
    ...['/proc', '/sys', '/dev'].map((m) => `  ${mountLine(m)}`),
    '  mark init',
    ...stage1Root(variant).map((l) => `  ${l}`),
    '  mark rootfs',
    '  for m in /proc /sys /dev; do mount --move "$m" "/newroot$m" || die "cannot move $m"; done',
    '  export CAPSEM_TIMINGS="$T"',
    // The kernel's unknown bare parameters are init's argv: pass them on (the doctor proves none is the policy's).
    `  exec switch_root /newroot ${INIT_PATH} "$@"`,
    '  die "switch_root failed"',
    'fi',
    '',
    '# Stage 2: the new root.',
    'mark capsem-init',
    `${mountLine('/run')} || die "cannot mount /run"`,
    'mkdir -p /run/capsem',
    '# The dummy driver makes dummy0 itself (numdummies=1); create it only if it did not.',
    '[ -e /sys/class/net/dummy0 ] || ip link add dummy0 type dummy || die "cannot create dummy0"',
    'ip link set lo up && ip link set dummy0 up || die "cannot bring up lo and dummy0"',
    'mark network',
    ...stage2BeforeDoctor(variant),
    '# The doctor runs before anything else can.',
    'mark doctor',
    `printf '%s' "$T" > ${TIMINGS_FILE}`,
    ...stage2Result(variant),
    `if [ -n "\${${SHELL_PARAM}:-}" ]; then`,
    '  echo "capsem-init: console shell; exit it to power off"',
    '  setsid cttyhack sh -l',
    'fi',
    'reboot -f',
    'while :; do sleep 3600; done',
    '',
  ];
  return lines.join('\n');
}
