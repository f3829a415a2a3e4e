import check from '../../../src/doctor/checks/test_no_setuid_binaries.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { dir, file, link } from '../helpers/fake-guest.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const suid = file('x', { mode: 0o4755 });

testCheck(check, {
  pass: [
    { name: 'no setuid file anywhere' },
    { name: 'a setgid file is another check\'s business', patch: { files: { '/usr/bin/wall': file('x', { mode: 0o2755 }) } } },
    // Pseudo filesystems are not walked.
    { name: 'setuid-looking node in /proc', patch: { files: { '/proc/1/fake': suid } } },
    { name: 'a symlink to a setuid path is not itself setuid', patch: { files: { '/usr/bin/link': link('/nonexistent') } } },
  ],
  fail: [
    { name: 'setuid file on /', patch: { files: { '/usr/bin/su': suid } }, reason: 'mode-bit-found', evidence: '/usr/bin/su: mode 04755' },
    { name: 'setuid file only on the lower layer mount', patch: { files: { '/mnt/lower/usr/bin/su': suid } }, reason: 'mode-bit-found' },
    // A scan of / alone misses files on other mounts.
    { name: 'setuid file on the tmpfs /run', patch: { files: { '/run/su': suid } }, reason: 'mode-bit-found', evidence: '/run/su' },
    {
      name: 'setuid file on an extra mount',
      patch: {
        files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS, '/dev/vdb /data ext4 rw 0 0']), '/data/bin/su': suid },
        devs: { '/data': 90 },
      },
      reason: 'mode-bit-found',
      evidence: '/data/bin/su',
    },
    // devtmpfs is not pseudo: root can create any file there.
    { name: 'setuid file in /dev (devtmpfs)', patch: { files: { '/dev/.suid-busybox': suid } }, reason: 'mode-bit-found', evidence: '/dev/.suid-busybox: mode 04755' },
    { name: 'deep in a tree', patch: { files: { '/usr/lib/a/b/c/d/helper': suid } }, reason: 'mode-bit-found' },
    { name: 'setuid without execute bits still counts', patch: { files: { '/usr/bin/odd': file('x', { mode: 0o4644 }) } }, reason: 'mode-bit-found' },
    { name: 'a setuid directory counts (find -perm -4000)', patch: { files: { '/srv': dir({ mode: 0o4755 }) } }, reason: 'mode-bit-found' },
  ],
  error: [
    { name: 'a directory cannot be read', patch: { errors: { '/usr/lib': 'EACCES' }, files: { '/usr/lib/x': file('x') } }, reason: 'unreadable', evidence: '/usr/lib: EACCES' },
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
  ],
});
