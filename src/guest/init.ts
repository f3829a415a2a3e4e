import { GUEST, SHELL_PARAM } from '../policy/index.ts';
import { type GuestVariant, REPLAY_FRAME } from './variant.ts';

// capsem-init: PID 1 of the guest, one static C program (init/capsem-init.c)
// in two places, run by a plan this module writes for each variant. As /init in
// the initramfs (stage 1) it builds the root: /dev/vda squashfs read-only as the
// overlay's lower layer, a tmpfs for upper and work, and switch_root into the
// overlay. As /usr/local/bin/capsem-init on the squashfs (stage 2) it brings up
// lo and dummy0, runs the doctor before anything else, sends the verdict over
// the result port and reboots: under QEMU's -no-reboot a reboot ends the VM, so
// the guest kernel needs neither ACPI (x86_64) nor any power-off driver.
//
// It was a busybox script; under emulation each of its ~15 forks and execs cost
// tens of milliseconds (measured on the host's clock from console marks: ~1 s
// from the kernel's "Run /init" to the doctor at load ~3). The real guest's
// plan is system calls only; the test mutants' extra steps are busybox `sh`
// steps, kept as shell text.
//
// Each stage appends `<stage> <ms since boot>` (CLOCK_MONOTONIC) to the timings;
// stage 1 hands them to stage 2 through CAPSEM_TIMINGS and stage 2 writes them
// to TIMINGS_FILE for `capsem-doctor --timings`.

export const INIT_PATH = `${GUEST.capsemBinDir}/capsem-init`;
/** Stage 2's plan on the squashfs (stage 1 reads /init.plan in the initramfs). */
export const PLAN_PATH = '/usr/lib/capsem/init.plan';
export const INITRAMFS_PLAN = '/init.plan';
/**
 * capsem's own static busybox and its applet links: the doctor's wrapper, the
 * console shell and the test mutants' `sh` steps run on these, so a root with
 * another libc or no shell at all boots the same.
 */
export const CAPSEM_BUSYBOX = '/usr/lib/capsem/busybox';
export const CAPSEM_SHELL_DIR = '/usr/lib/capsem/bin';
export const TIMINGS_FILE = '/run/capsem/timings';
/** The root's own PATH (its profile's); init's children search capsem's shell first. */
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';

/** What capsem-init is compiled with: the paths and the parameter it must agree on with the image. */
export const INIT_DEFINES = { PLAN_PATH, SHELL_PARAM, SHELL_PATH: CAPSEM_BUSYBOX, CHILD_PATH: `${CAPSEM_SHELL_DIR}:${SYSTEM_PATH}` };

/** Directories of the initramfs that stage 1 uses as mount points. */
export const INITRAMFS_MOUNTPOINTS = ['/proc', '/sys', '/dev', '/lower', '/rw', '/copy', '/newroot'] as const;
/** Directories of the squashfs that stage 1 moves its mounts onto. */
export const ROOT_MOUNTPOINTS = ['/proc', '/sys', '/dev', '/run', '/tmp', '/mnt/lower', '/mnt/rw'] as const;

/** Busybox applets linked in CAPSEM_SHELL_DIR: the doctor's wrapper, the console shell (reboot/poweroff end it) and what the mutants' steps call. */
export const INIT_APPLETS = ['sh', 'mount', 'umount', 'mkdir', 'cp', 'cat', 'chmod', 'ip', 'sleep', 'setsid', 'cttyhack', 'reboot', 'poweroff'] as const;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const { lower: LOWER, rw: RW } = GUEST.overlayLayers;

/** One step of the plan: its fields, tab-separated (init/capsem-init.c reads them). */
type Step = readonly string[];

/** The contract's mount at `mountpoint` (the doctor compares /proc/mounts with the same table). */
function contractMount(mountpoint: string): (typeof GUEST.mounts)[number] {
  return GUEST.mounts.find((m) => m.mountpoint === mountpoint)!;
}

/** The `mount` step for the contract's entry at `final`, made at `at` (its stage-1 path before switch_root). */
function mountStep(final: string, at = final, data?: string): Step {
  const m = contractMount(final);
  const opts = [...(m.mode ? [`mode=${m.mode}`] : []), ...(data ? [data] : [])];
  return ['mount', m.fstype, m.source, at, m.flags.join(',') || '-', opts.join(',') || '-'];
}

// A test mutant's extra step in busybox sh: `die` and `result_port` as the old script had them.
const SH_PRELUDE = [
  'die() { echo "capsem-init: $*" > /dev/console; exit 1; }',
  `result_port() { for p in /sys/class/virtio-ports/*; do [ "$(cat "$p/name" 2>/dev/null)" = ${q(GUEST.resultPort)} ] && { echo "/dev/\${p##*/}"; return 0; }; done; return 1; }`,
].join('; ');
const sh = (text: string): Step => ['sh', `${SH_PRELUDE}; ${text}`];

function stage1Root(variant: GuestVariant): Step[] {
  const lowerMount = (at: string): Step => mountStep(LOWER.final, at);
  // `lowerdir` is the overlay's option; its first layer is the one moved into the new root.
  const overlay = (lowerdir: string, lower = lowerdir.split(':')[0]!): Step[] => [
    mountStep(RW.final, RW.stage1),
    ['mkdir', `${RW.stage1}/upper`],
    ['mkdir', `${RW.stage1}/work`],
    mountStep('/', '/newroot', `lowerdir=${lowerdir},upperdir=${RW.stage1}/upper,workdir=${RW.stage1}/work`),
    // Keep the layers visible in the new root (the doctor proves what / is made of).
    ['move', lower, `/newroot${LOWER.final}`],
    ['move', RW.stage1, `/newroot${RW.final}`],
  ];
  switch (variant.root ?? 'overlay') {
    case 'overlay':
      return [lowerMount(LOWER.stage1), ...overlay(LOWER.stage1)];
    case 'squashfs-only':
      return [lowerMount('/newroot')];
    case 'overlay-second-lower':
      return [lowerMount(LOWER.stage1), ['mkdir', '/extra'], ['mount', 'tmpfs', 'tmpfs', '/extra', '-', '-'], ...overlay(`${LOWER.stage1}:/extra`)];
    case 'overlay-on-tmpfs':
      return [
        lowerMount(LOWER.stage1),
        ['mount', 'tmpfs', 'tmpfs', '/copy', '-', 'mode=0755'],
        // The initramfs has no busybox: the squashfs's own copies the tree.
        ['busybox', `${LOWER.stage1}${CAPSEM_BUSYBOX}`],
        sh(`cp -a ${LOWER.stage1}/. /copy/`),
        ['umount', LOWER.stage1],
        ...overlay('/copy'),
      ];
  }
}

function stage2BeforeDoctor(variant: GuestVariant): Step[] {
  const steps: Step[] = [];
  // A read-only root still needs a writable /tmp (the doctor writes scratch files), so only the overlay check differs.
  if (variant.root === 'squashfs-only') steps.push(['mount', 'tmpfs', 'tmpfs', '/tmp', 'nosuid,nodev', 'mode=1777']);
  if (variant.swapNics) {
    steps.push(sh('ip link set lo down && ip link set dummy0 down && ip link set lo name capsem-tmp && ip link set dummy0 name lo && ip link set capsem-tmp name dummy0 && ip link set lo up && ip link set dummy0 up || die "cannot swap lo and dummy0"'));
  }
  // Appending nothing still opens the file for writing: overlayfs copies it up.
  // The globs are alternatives (one image layout has a file another lacks): at least one file must be copied up.
  if (variant.copyUp?.length) {
    steps.push(sh(`n=0; for f in ${variant.copyUp.join(' ')}; do [ -e "$f" ] || continue; : >> "$f" || die "cannot copy up $f"; n=$((n + 1)); done; [ "$n" -gt 0 ] || die "nothing to copy up"`));
  }
  for (const f of variant.runtimeFiles ?? []) {
    const cap = f.fileCap ? ` && ${GUEST.capsemBinDir}/capsem-probe setcap ${q(f.path)}` : '';
    steps.push(sh(`cp ${CAPSEM_BUSYBOX} ${q(f.path)} && chmod ${f.mode.toString(8)} ${q(f.path)}${cap} || die "cannot make ${f.path}"`));
  }
  for (const nic of variant.extraNics ?? []) {
    steps.push(sh(`ip link add ${q(nic)} type dummy && ip link set ${q(nic)} up || die "cannot add ${nic}"`));
  }
  // A process whose comm is NAME: a script named NAME that never execs (comm comes from the file name).
  for (const name of variant.extraProcesses ?? []) {
    steps.push(sh(`printf '#!/bin/sh\\nwhile :; do sleep 3600; done\\n' > /run/${name} && chmod 0755 /run/${name} && { /run/${name} & }`));
  }
  return steps;
}

function stage2Result(variant: GuestVariant, doctorExec: readonly string[]): Step[] {
  // The doctor's runtime itself, not the capsem-doctor wrapper: the wrapper's busybox sh
  // would be the first busybox run of the boot, and its start alone cost ~100 ms under TCG.
  const doctor = [...(variant.confineDoctor ? [`${GUEST.capsemBinDir}/capsem-probe`, 'confine'] : []), ...doctorExec];
  const doctorSh = doctor.join(' ');
  switch (variant.result ?? 'send') {
    case 'send':
      return [['doctor', ...doctor, '--send', '--timings', TIMINGS_FILE]];
    case 'none':
      return [sh(`${doctorSh} > /dev/null 2>&1; echo "capsem-init: result deliberately not sent (variant)"`)];
    case 'garbage':
      return [sh(`${doctorSh} > /dev/null 2>&1; port=$(result_port) || die "no result port"; printf 'capsem says healthy, trust me\\n' > "$port"`)];
    case 'replay':
      return [sh(`${doctorSh} > /dev/null 2>&1; port=$(result_port) || die "no result port"; cat ${REPLAY_FRAME} > "$port"`)];
    case 'hang':
      return [sh('echo "capsem-init: hanging on purpose (variant)"; while :; do sleep 3600; done')];
  }
}

/**
 * The plan of one variant, both stages; `doctorExec` is the doctor's command (its
 * runtime and script: what /usr/local/bin/capsem-doctor execs). Pure: same inputs, same bytes.
 */
export function initPlan(variant: GuestVariant, doctorExec: readonly string[]): string {
  const stage1: Step[] = [
    ...['/proc', '/sys', '/dev'].map((m) => mountStep(m)),
    ['mark', 'init'],
    ...stage1Root(variant),
    ['mark', 'rootfs'],
    ...['/proc', '/sys', '/dev'].map((m): Step => ['move', m, `/newroot${m}`]),
    // The kernel's unknown bare parameters are init's argv: passed on (the doctor proves none is the policy's).
    ['switch', '/newroot', INIT_PATH],
  ];
  const stage2: Step[] = [
    ['mark', 'capsem-init'],
    mountStep('/run'),
    ['mkdir', '/run/capsem'],
    // The dummy driver makes dummy0 itself (numdummies=1); it is created only if it did not.
    ['dummy', 'dummy0'],
    ['up', 'lo'],
    ['up', 'dummy0'],
    ['mark', 'network'],
    ...stage2BeforeDoctor(variant),
    // The doctor runs before anything else can.
    ['mark', 'doctor'],
    ['timings', TIMINGS_FILE],
    ...stage2Result(variant, doctorExec),
    ['shell'],
    ['reboot'],
  ];
  const lines = (steps: Step[]) =>
    steps.map((f) => {
      if (f.some((x) => x === '' || /[\t\n]/.test(x))) throw new Error(`capsem-init plan: a field is empty or has a tab or newline: ${JSON.stringify(f)}`);
      return f.join('\t');
    });
  return [`# capsem-init plan (variant: ${variant.id}). Generated by src/guest/init.ts; do not edit.`, '[stage1]', ...lines(stage1), '[stage2]', ...lines(stage2), ''].join('\n');
}
