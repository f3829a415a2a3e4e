import check from '../../../src/doctor/checks/test_guest_binary_not_writable.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const doctor = `${GUEST.capsemBinDir}/capsem-doctor`;
const content = '#!capsem capsem-doctor\n';
const withoutLowerMount = HEALTHY_MOUNTS.filter((l) => !l.startsWith(GUEST.rootDevice));

testCheck(check, {
  pass: [{ name: 'every binary 0555, root-owned, the lower layer\'s own file' }],
  fail: [
    { name: 'mode 0755', patch: { files: { [doctor]: file(content, { mode: 0o755, ino: 500 }) } }, reason: 'wrong-mode', evidence: 'mode 0755' },
    { name: 'mode 0775', patch: { files: { [doctor]: file(content, { mode: 0o775, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'mode 0511 (not 0555)', patch: { files: { [doctor]: file(content, { mode: 0o511, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'setuid 04555', patch: { files: { [doctor]: file(content, { mode: 0o4555, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'owned by uid 1000', patch: { files: { [doctor]: file(content, { mode: 0o555, uid: 1000, ino: 500 }) } }, reason: 'not-root-owned' },
    { name: 'a binary is missing', patch: { files: { [`${GUEST.capsemBinDir}/capsem-probe`]: null } }, reason: 'binary-missing' },
    // Mode 0555 again, but a copy in the writable upper layer (new inode).
    {
      name: 'copied up and chmod-ed back to 0555',
      patch: { files: { [doctor]: file(content, { mode: 0o555, ino: 9001, dev: 30 }) } },
      reason: 'not-on-read-only-layer',
      evidence: 'different files',
    },
    {
      name: 'replaced with other content of the same mode',
      patch: { files: { [doctor]: file('#!evil\n', { mode: 0o555, ino: 500 }) } },
      reason: 'not-on-read-only-layer',
    },
    { name: 'no read-only mount of the root device', patch: { files: { '/proc/mounts': mountsText(withoutLowerMount) } }, reason: 'no-read-only-layer' },
    {
      name: 'the root device mounted read-write',
      patch: { files: { '/proc/mounts': mountsText([...withoutLowerMount, `${GUEST.rootDevice} /mnt/lower ext4 rw,relatime 0 0`]) } },
      reason: 'no-read-only-layer',
    },
  ],
  error: [
    { name: 'a binary cannot be stat-ed', patch: { errors: { [doctor]: 'EACCES' } }, reason: 'unreadable' },
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
  ],
});
