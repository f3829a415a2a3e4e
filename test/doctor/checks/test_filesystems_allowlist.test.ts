import check from '../../../src/doctor/checks/test_filesystems_allowlist.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { filesystemsText } from '../helpers/healthy-guest.ts';

const plus = (...lines: string[]) => ({ files: { '/proc/filesystems': filesystemsText(lines) } });

testCheck(check, {
  pass: [{ name: 'exactly the policy kernel\'s types' }],
  fail: [
    // Host shares and network filesystems a name denylist (nfs, nfs4) misses.
    { name: '9p built in', patch: plus('nodev\t9p'), reason: 'not-the-policy-set', evidence: 'not allowed: 9p' },
    { name: 'cifs and ceph built in', patch: plus('nodev\tcifs', 'nodev\tceph'), reason: 'not-the-policy-set', evidence: 'not allowed: cifs, ceph' },
    { name: 'a block filesystem (ext4)', patch: plus('\text4'), reason: 'not-the-policy-set' },
    { name: 'a type the policy has never heard of', patch: plus('nodev\tfuse'), reason: 'not-the-policy-set' },
    {
      name: 'overlay missing',
      patch: { files: { '/proc/filesystems': file('nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n') } },
      reason: 'not-the-policy-set',
      evidence: 'missing: devtmpfs',
    },
  ],
  error: [
    { name: '/proc/filesystems unreadable', patch: { errors: { '/proc/filesystems': 'EIO' } }, reason: 'unreadable' },
    { name: '/proc/filesystems without proc', patch: { files: { '/proc/filesystems': file('nodev\tsysfs\n') } }, reason: 'implausible' },
  ],
});
