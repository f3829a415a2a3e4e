import check from '../../../src/doctor/checks/test_mount_table.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const mounts = (lines: readonly string[]) => ({ files: { '/proc/mounts': mountsText(lines) } });
const replace = (prefix: string, line: string) => mounts([...HEALTHY_MOUNTS.filter((l) => !l.startsWith(prefix)), line]);

testCheck(check, {
  pass: [
    { name: 'exactly what capsem-init mounts' },
    { name: 'in another order', patch: mounts([...HEALTHY_MOUNTS].reverse()) },
    { name: 'extra kernel options (size=, mode=) do not matter', patch: replace('tmpfs /run', 'tmpfs /run tmpfs rw,nosuid,nodev,size=1024k,mode=700 0 0') },
  ],
  fail: [
    { name: 'the lower layer read-write', patch: replace(GUEST.rootDevice, `${GUEST.rootDevice} /mnt/lower squashfs rw,relatime 0 0`), reason: 'mount-differs', evidence: 'lacks ro' },
    { name: '/proc without noexec', patch: replace('proc /proc', 'proc /proc proc rw,nosuid,nodev 0 0'), reason: 'mount-differs', evidence: 'lacks noexec' },
    { name: '/run on ramfs', patch: replace('tmpfs /run', 'ramfs /run ramfs rw,nosuid,nodev 0 0'), reason: 'mount-differs' },
    { name: '/run missing', patch: mounts(HEALTHY_MOUNTS.filter((l) => !l.startsWith('tmpfs /run'))), reason: 'mount-missing', evidence: 'missing: tmpfs on /run' },
    { name: 'a 9p share', patch: mounts([...HEALTHY_MOUNTS, 'host0 /mnt/host 9p rw,trans=virtio 0 0']), reason: 'extra-mount', evidence: 'not allowed: host0 on /mnt/host' },
    { name: 'a tmpfs stacked on /run', patch: mounts([...HEALTHY_MOUNTS, 'tmpfs /run tmpfs rw 0 0']), reason: 'extra-mount', evidence: 'stacked' },
    { name: 'a writable /tmp the init does not make', patch: mounts([...HEALTHY_MOUNTS, 'tmpfs /tmp tmpfs rw 0 0']), reason: 'extra-mount' },
  ],
  error: [
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
    { name: '/proc/mounts empty', patch: mounts([]), reason: 'implausible' },
  ],
});
