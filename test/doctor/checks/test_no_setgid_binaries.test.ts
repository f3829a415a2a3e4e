import check from '../../../src/doctor/checks/test_no_setgid_binaries.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { dir, file } from '../helpers/fake-guest.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const sgid = file('x', { mode: 0o2755 });

testCheck(check, {
  pass: [
    { name: 'no setgid file anywhere' },
    { name: 'a setuid file is another check\'s business', patch: { files: { '/usr/bin/su': file('x', { mode: 0o4755 }) } } },
    { name: 'sticky /tmp is not setgid', patch: { files: { '/var/tmp': dir({ mode: 0o1777 }) } } },
  ],
  fail: [
    { name: 'setgid file in /dev (devtmpfs)', patch: { files: { '/dev/.sgid': file('x', { mode: 0o2755 }) } }, reason: 'mode-bit-found', evidence: '/dev/.sgid' },
    { name: 'setgid file on /', patch: { files: { '/usr/bin/wall': sgid } }, reason: 'mode-bit-found', evidence: '/usr/bin/wall: mode 02755' },
    { name: 'setgid file on the upper layer tmpfs', patch: { files: { '/mnt/rw/upper/usr/bin/wall': sgid } }, reason: 'mode-bit-found' },
    {
      name: 'setgid file on an extra mount',
      patch: {
        files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS, 'tmpfs /scratch tmpfs rw 0 0']), '/scratch/wall': sgid },
        devs: { '/scratch': 91 },
      },
      reason: 'mode-bit-found',
    },
    { name: 'a setgid directory counts (find -perm -2000)', patch: { files: { '/var/mail': dir({ mode: 0o2775 }) } }, reason: 'mode-bit-found' },
  ],
  error: [{ name: 'a directory cannot be read', patch: { errors: { '/usr/bin': 'EIO' }, files: { '/usr/bin/x': file('x') } }, reason: 'unreadable' }],
});
