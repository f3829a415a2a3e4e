// The healthy guest as data: what capsem-init's real guest looks like to the
// doctor (overlay root over the /dev/vda squashfs, layers moved to /mnt/lower
// and /mnt/rw, lo + dummy0, the policy's command line). Every check passes
// on it; each test case changes one thing.

import { type Arch, GUEST, cmdlineFor, parseCmdline } from '../../../src/policy/index.ts';
import { bootedCmdline } from './cmdline.ts';
import { createHash } from 'node:crypto';
import { DOCTOR_MANIFEST, renderManifest } from '../../../src/doctor/manifest.ts';
import { MAGIC } from '../../../src/doctor/needs.ts';
import { type Fixture, type FixturePatch, type Node, applyPatch, blockDev, charDev, dir, file, link } from './fake-guest.ts';

export const DOCTOR_PID = 4242;
export const EXT4_MAGIC = 0xef53;
export const SQUASHFS_MAGIC = 0x73717368;

/** st_dev of each mount; the squashfs's is the rdev of /dev/vda. */
export const DEV = { overlay: 40, squashfs: 0xfe00, rw: 30, run: 31, proc: 4, sys: 5, dev: 6 } as const;

const MOUNTS = [
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
  'devtmpfs /dev devtmpfs rw,nosuid,noexec,relatime,size=65536k,nr_inodes=16384,mode=755 0 0',
  `${GUEST.rootDevice} /mnt/lower squashfs ro,relatime,errors=continue 0 0`,
  'tmpfs /mnt/rw tmpfs rw,relatime,mode=755 0 0',
  'overlay / overlay rw,relatime,lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work 0 0',
  'tmpfs /run tmpfs rw,nosuid,nodev,relatime,mode=755 0 0',
];

export function mountsText(lines: readonly string[] = MOUNTS): Node {
  return file(lines.join('\n') + '\n');
}
export const HEALTHY_MOUNTS: readonly string[] = MOUNTS;

// The policy kernel's list, in its order (block-device filesystems have no "nodev").
const FILESYSTEMS = GUEST.filesystems.map((f) => (f === 'squashfs' ? `\t${f}` : `nodev\t${f}`));
export function filesystemsText(extra: readonly string[] = []): Node {
  return file([...FILESYSTEMS, ...extra].join('\n') + '\n');
}

/** A capsem binary as the lower layer has it, and as the overlay shows it (same inode, size, mode). */
function capsemBinaries(): Record<string, Node> {
  const out: Record<string, Node> = {};
  GUEST.capsemBinaries.forEach((b, i) => {
    const content = `#!capsem ${b}\n`;
    const path = `${GUEST.capsemBinDir}/${b}`;
    out[`/mnt/lower${path}`] = file(content, { mode: 0o555, ino: 500 + i });
    // Overlayfs without xino: a lower file keeps its inode number, with a per-layer pseudo st_dev.
    out[path] = file(content, { mode: 0o555, ino: 500 + i, dev: 77 });
  });
  return out;
}

function cpuVulnerabilities(arch: Arch): Record<string, Node> {
  const d = '/sys/devices/system/cpu/vulnerabilities';
  const entries =
    arch === 'x86_64'
      ? { meltdown: 'Mitigation: PTI', spectre_v1: 'Mitigation: usercopy/swapgs barriers', spectre_v2: 'Mitigation: Retpolines', mds: 'Not affected' }
      : { meltdown: 'Not affected', spectre_v1: 'Mitigation: __user pointer sanitization', spectre_v2: 'Mitigation: CSV2, BHB' };
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [`${d}/${k}`, file(v + '\n')]));
}

/** The sysctls the policy's command line sets (sysctl.a.b=v), as /proc/sys/a/b reads back. */
export function policySysctls(arch: Arch): Record<string, Node> {
  const out: Record<string, Node> = {};
  for (const t of parseCmdline(cmdlineFor(arch)).tokens) {
    if (t.key.startsWith('sysctl.') && t.value !== undefined) {
      out['/proc/sys/' + t.key.slice('sysctl.'.length).replace(/\./g, '/')] = file(t.value + '\n');
    }
  }
  return out;
}

/** PF_KTHREAD and PF_FORKNOEXEC|PF_RANDOMIZE: the flags of /proc/PID/stat for a kernel thread and a user process. */
export const KTHREAD_FLAGS = 0x00208040;
const USER_FLAGS = 0x00400100;

/** A process as /proc shows it: comm, stat (with its flags), cmdline, and exe unless a kernel thread (`exe` null). */
export function processNode(pid: number, comm: string, exe: string | null = '/bin/busybox', argv: readonly string[] = exe ? [exe] : [], flags = exe ? USER_FLAGS : KTHREAD_FLAGS): Record<string, Node> {
  return {
    [`/proc/${pid}/comm`]: file(comm + '\n'),
    [`/proc/${pid}/stat`]: file(`${pid} (${comm}) S 0 ${pid} ${pid} 0 -1 ${flags} 0 0 0 0 1 0\n`),
    [`/proc/${pid}/cmdline`]: file(argv.map((a) => a + '\0').join('')),
    ...(exe ? { [`/proc/${pid}/exe`]: link(exe) } : {}),
  };
}

export const DOCTOR_BUNDLE = '/usr/lib/capsem/capsem-doctor.mjs';
export const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

/** The doctor's /proc/self/maps: node, a library, anonymous and special mappings. */
export function doctorMaps(extra: readonly string[] = []): Node {
  return file(
    [
      '00400000-04d2d000 r-xp 00000000 00:28 601                              /usr/bin/node',
      '7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ',
      '7f1000000000-7f1000028000 r-xp 00000000 00:28 602                        ' + LIBC,
      '7f2000000000-7f2000001000 rw-s 00000000 00:01 1234                       /memfd:doublemapper (deleted)',
      '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]',
      ...extra,
    ].join('\n') + '\n',
  );
}

/** A NIC in /sys/class/net: its ARPHRD type and ifindex (iflink = ifindex: no peer), no device link. */
export function nicNode(name: string, ifindex: number, type: number, iflink = ifindex): Record<string, Node> {
  const d = `/sys/class/net/${name}`;
  return { [`${d}/type`]: file(`${type}\n`), [`${d}/ifindex`]: file(`${ifindex}\n`), [`${d}/iflink`]: file(`${iflink}\n`) };
}

/** The boot messages the policy kernel logs (/dev/kmsg records), with a continuation line as the kernel writes them. */
export const BOOT_LOG_LINES = [
  'Linux version 6.12.38 (root@capsem) #1 SMP',
  'mem auto-init: stack:off, heap alloc:on, heap free:on',
  'Kernel is locked down from Kernel configuration; see man kernel_lockdown.7',
  'landlock: Up and running.',
];
/** The CPU features the policy kernel logs on QEMU TCG's max CPU (as booted). */
export const CPU_LOG_LINES: Record<Arch, readonly string[]> = {
  x86_64: ['Kernel/User page tables isolation: enabled', 'x86/cpu: User Mode Instruction Prevention (UMIP) activated'],
  arm64: [
    'CPU features: detected: Address authentication (IMP DEF algorithm)',
    'CPU features: detected: Branch Target Identification',
    'CPU features: detected: Privileged Access Never',
  ],
};
export function kernelLog(arch: Arch, lines: readonly string[] = [...BOOT_LOG_LINES, ...CPU_LOG_LINES[arch]]): Node {
  const wx = arch === 'x86_64' ? 'x86/mm: Checked W+X mappings: passed, no W+X pages found.' : 'Checked W+X mappings: passed, no W+X pages found';
  return file([...lines, wx].map((l, i) => `6,${i},${i * 1000},-;${l}\n${i === 0 ? ' SUBSYSTEM=kernel\n' : ''}`).join(''));
}

/** /proc/cpuinfo of QEMU TCG's max CPU (one vCPU), as the policy kernel shows it; `drop` removes flags. */
export function cpuinfo(arch: Arch, drop: readonly string[] = []): Node {
  const keep = (flags: string) => flags.split(' ').filter((f) => !drop.includes(f)).join(' ');
  return file(
    arch === 'x86_64'
      ? `processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: ${keep('fpu pae sse sse2 syscall nx lm pti fsgsbase avx2 smep bmi2 smap clflushopt umip pku')}\n\n`
      : `processor\t: 0\nBogoMIPS\t: 2000.00\nFeatures\t: ${keep('fp asimd aes atomics cpuid paca pacg bti')}\nCPU implementer\t: 0x00\n\n`,
  );
}

/** 41 capabilities (CAP_CHECKPOINT_RESTORE = 40 is the last in 6.12): all effective. */
export const FULL_CAPS = '000001ffffffffff';

export function selfStatus(pid: number, o: { seccomp?: string; noNewPrivs?: string; capEff?: string } = {}): Node {
  return file(
    `Name:\tnode\nPid:\t${pid}\nCapEff:\t${o.capEff ?? FULL_CAPS}\nNoNewPrivs:\t${o.noNewPrivs ?? '0'}\n` +
      `Seccomp:\t${o.seccomp ?? '0'}\nSeccomp_filters:\t${o.seccomp && o.seccomp !== '0' ? '1' : '0'}\n`,
  );
}

function processes(doctorPid: number): Record<string, Node> {
  return {
    ...processNode(1, 'capsem-init', '/bin/busybox', ['/bin/sh', `${GUEST.capsemBinDir}/capsem-init`]),
    ...processNode(2, 'kthreadd', null),
    ...processNode(17, 'kworker/0:1', null),
    ...processNode(doctorPid, 'node', '/usr/bin/node', ['/usr/bin/node', DOCTOR_BUNDLE, '--send']),
    [`/proc/${doctorPid}/maps`]: doctorMaps(),
    [`/proc/${doctorPid}/status`]: selfStatus(doctorPid),
    // The kernel's HOME and TERM, init's exports.
    '/proc/1/environ': file('HOME=/\0TERM=linux\0PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\0CAPSEM_TIMINGS=init 512\n\0'),
    '/proc/self': link(String(doctorPid)),
  };
}

/** `doctorPid`: the pid the doctor runs as (a fixture on disk checked in-process needs process.pid). */
export function healthyGuest(arch: Arch = 'x86_64', doctorPid = DOCTOR_PID): Fixture {
  const squashfsImage = Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(60)]);
  const guest: Fixture = {
    arch,
    pid: doctorPid,
    statfs: { '/': 0x794c7630 /* overlayfs */, '/proc': MAGIC.proc, '/sys': MAGIC.sysfs, '/dev': MAGIC.tmpfs, '/run': MAGIC.tmpfs, '/mnt/lower': SQUASHFS_MAGIC, '/mnt/rw': MAGIC.tmpfs },
    devs: { '/': DEV.overlay, '/mnt/lower': DEV.squashfs, '/mnt/rw': DEV.rw, '/run': DEV.run, '/proc': DEV.proc, '/sys': DEV.sys, '/dev': DEV.dev },
    errors: {},
    syscalls: {
      bpf: { ret: -1, errno: 38 },
      io_uring_setup: { ret: -1, errno: 38 },
      userfaultfd: { ret: -1, errno: 38 },
      kexec_load: { ret: -1, errno: 38 },
      kexec_file_load: { ret: -1, errno: 38 },
      init_module: { ret: -1, errno: 38 },
      finit_module: { ret: -1, errno: 38 },
      x32_getpid: { ret: -1, errno: 38 },
    },
    getpid: 'honest',
    fileCaps: [],
    cpu: arch === 'x86_64' ? { smep: true, smap: true, umip: true } : { pauth: true, 'pauth-user': true },
    exec: { native: { kind: 'ran', exitCode: 42, signal: null }, legacy32: { kind: 'refused', errno: 8 } },
    files: {
      // --- /proc ---
      '/proc/mounts': mountsText(),
      '/proc/filesystems': filesystemsText(),
      '/proc/cmdline': file(bootedCmdline(arch) + '\n'),
      '/proc/version': file('Linux version 6.12.38 (root@capsem) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld 2.40) #1 SMP\n'),
      '/proc/sys/kernel/osrelease': file('6.12.38\n'),
      '/proc/sys/kernel/dmesg_restrict': file('1\n'),
      '/proc/sys/kernel/cap_last_cap': file('40\n'),
      '/proc/sys/kernel/randomize_va_space': file('2\n'),
      '/proc/sys/kernel/panic_on_oops': file('1\n'),
      '/proc/sys/vm/mmap_min_addr': file('65536\n'),
      '/sys/module/page_alloc/parameters/shuffle': file('Y\n'),
      '/dev/kmsg': kernelLog(arch),
      ...policySysctls(arch),
      '/proc/sys/kernel/hostname': file('capsem\n'),
      '/proc/sys/net/ipv4/ip_forward': file('0\n'),
      '/proc/net/dev': file('Inter-|   Receive\n'),
      '/proc/net/unix': file('Num RefCount\n'),
      '/proc/uptime': file('1.23 0.50\n'),
      '/proc/cpuinfo': cpuinfo(arch),
      ...processes(doctorPid),
      // --- /sys ---
      ...Object.fromEntries(['null', 'zero', 'full', 'random', 'urandom', 'kmsg'].map((n) => [`/sys/class/mem/${n}/dev`, file('1:3\n')])),
      ...nicNode('lo', 1, GUEST.nicTypes.lo),
      ...nicNode('dummy0', 2, GUEST.nicTypes.dummy0),
      '/sys/block/vda/ro': file('1\n'),
      ...Object.fromEntries(GUEST.virtioDevices[arch].map((id, i) => [`/sys/bus/virtio/devices/virtio${i}/device`, file(id + '\n')])),
      '/sys/class/tty/console/dev': file('5:1\n'),
      '/sys/class/virtio-ports/vport0p1/name': file(`${GUEST.resultPort}\n`),
      '/sys/class/virtio-ports/vport0p2/name': file('org.qemu.guest_agent.0\n'),
      '/sys/bus/platform/uevent': file(''),
      '/sys/bus/virtio/uevent': file(''),
      '/sys/power/state': file('freeze mem\n'),
      ...cpuVulnerabilities(arch),
      // --- /dev ---
      [GUEST.rootDevice]: blockDev(DEV.squashfs, squashfsImage),
      '/dev/null': charDev(0x103),
      '/dev/vport0p1': charDev(0xf101),
      // --- the root and its layers ---
      ...capsemBinaries(),
      '/bin/busybox': file('busybox', { mode: 0o755, ino: 600 }),
      '/mnt/lower/bin/busybox': file('busybox', { mode: 0o755, ino: 600 }),
      '/usr/bin/node': file('node', { mode: 0o555, ino: 601 }),
      '/mnt/lower/usr/bin/node': file('node', { mode: 0o555, ino: 601 }),
      [LIBC]: file('libc', { mode: 0o555, ino: 602 }),
      [`/mnt/lower${LIBC}`]: file('libc', { mode: 0o555, ino: 602 }),
      [DOCTOR_BUNDLE]: file('bundle', { mode: 0o444, ino: 603 }),
      [`/mnt/lower${DOCTOR_BUNDLE}`]: file('bundle', { mode: 0o444, ino: 603 }),
      '/etc/passwd': file('root:x:0:0:root:/root:/bin/sh\n'),
      '/mnt/lower/etc/passwd': file('root:x:0:0:root:/root:/bin/sh\n'),
      '/tmp': dir({ mode: 0o1777 }),
      '/mnt/rw/upper/tmp': dir({ mode: 0o1777 }),
      '/mnt/rw/work/work': dir({ mode: 0o700 }),
      '/run/capsem/timings': file('init 512\nrootfs 830\n'),
    },
  };
  guest.files[`/mnt/lower${DOCTOR_MANIFEST}`] = doctorManifest(guest.files);
  return guest;
}

/** The builder's manifest of the doctor's files: the capsem binaries, node, the bundle and libc as the lower layer has them. */
export function doctorManifest(files: Record<string, Node>, override: Record<string, string> = {}): Node {
  const paths = [...GUEST.capsemBinaries.map((b) => `${GUEST.capsemBinDir}/${b}`), '/usr/bin/node', DOCTOR_BUNDLE, LIBC];
  const hashes = new Map(paths.map((p) => {
    const n = files[`/mnt/lower${p}`]!;
    return [p, override[p] ?? createHash('sha256').update((n as { content: Buffer }).content).digest('hex')];
  }));
  return file(renderManifest(hashes));
}

/** The healthy guest with one change. */
export function guestWith(patch: FixturePatch, arch: Arch = 'x86_64'): Fixture {
  return applyPatch(healthyGuest(arch), patch);
}
