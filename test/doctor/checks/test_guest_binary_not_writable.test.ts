import check from '../../../src/doctor/checks/test_guest_binary_not_writable.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { dir, file } from '../helpers/fake-guest.ts';
import { DOCTOR_MANIFEST } from '../../../src/doctor/manifest.ts';
import { DOCTOR_BUNDLE, DOCTOR_PID, HEALTHY_MOUNTS, LIBC, doctorMaps, mountsText } from '../helpers/healthy-guest.ts';

const doctor = `${GUEST.capsemBinDir}/capsem-doctor`;
const content = '#!capsem capsem-doctor\n';
const MANIFEST = `/mnt/lower${DOCTOR_MANIFEST}`;
const withoutLowerMount = HEALTHY_MOUNTS.filter((l) => !l.startsWith(GUEST.rootDevice));

testCheck(check, {
  pass: [{ name: 'every binary 0555, root-owned, the lower layer\'s own file' }],
  fail: [
    { name: 'mode 0755', patch: { files: { [doctor]: file(content, { mode: 0o755, ino: 500 }) } }, reason: 'wrong-mode', evidence: 'mode 0755' },
    { name: 'mode 0775', patch: { files: { [doctor]: file(content, { mode: 0o775, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'mode 0511 (not 0555)', patch: { files: { [doctor]: file(content, { mode: 0o511, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'setuid 04555', patch: { files: { [doctor]: file(content, { mode: 0o4555, ino: 500 }) } }, reason: 'wrong-mode' },
    { name: 'owned by uid 1000', patch: { files: { [doctor]: file(content, { mode: 0o555, uid: 1000, ino: 500 }) } }, reason: 'not-root-owned' },
    { name: 'the directory of the binaries writable by all (mode 0777)', patch: { files: { [GUEST.capsemBinDir]: dir({ mode: 0o777 }) } }, reason: 'directory-writable', evidence: `${GUEST.capsemBinDir}: directory of the capsem binaries, mode 0777` },
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
    // The doctor's own runtime: node, its bundle, every library it maps.
    { name: 'a mapped library on the writable upper layer', patch: { files: { [LIBC]: file('libc', { mode: 0o555, ino: 9002, dev: 30 }) } }, reason: 'not-on-read-only-layer', evidence: LIBC },
    // What overlayfs really does: the copy keeps inode, device, size and mode; only the upper directory shows it.
    { name: 'a mapped library copied up (same inode)', patch: { files: { [`/mnt/rw/upper${LIBC}`]: file('libc', { mode: 0o555 }) } }, reason: 'not-on-read-only-layer', evidence: `/mnt/rw/upper${LIBC}: present` },
    { name: 'a capsem binary copied up (same inode)', patch: { files: { [`/mnt/rw/upper${doctor}`]: file(content, { mode: 0o555 }) } }, reason: 'not-on-read-only-layer' },
    { name: 'the bundle replaced', patch: { files: { [DOCTOR_BUNDLE]: file('evil', { mode: 0o444, ino: 9003 }) } }, reason: 'not-on-read-only-layer' },
    { name: 'node writable by mode', patch: { files: { '/usr/bin/node': file('node', { mode: 0o755, ino: 601 }) } }, reason: 'runtime-writable', evidence: '/usr/bin/node 0755' },
    {
      name: 'a mapped library deleted while in use',
      patch: { files: { [`/proc/${DOCTOR_PID}/maps`]: doctorMaps(['7f3000000000-7f3000001000 r-xp 00000000 00:1e 77 /tmp/libevil.so (deleted)']) } },
      reason: 'not-on-read-only-layer',
      evidence: 'mapped but deleted',
    },
    // The squashfs file itself altered (same inode, same size): only its bytes tell.
    {
      name: 'a mapped library altered on the lower layer',
      patch: { files: { [LIBC]: file('libX', { mode: 0o555, ino: 602 }), [`/mnt/lower${LIBC}`]: file('libX', { mode: 0o555, ino: 602 }) } },
      reason: 'digest-mismatch',
      evidence: `${LIBC}: sha256`,
    },
    {
      name: 'a mapped library the manifest does not list',
      patch: {
        files: {
          [`/proc/${DOCTOR_PID}/maps`]: doctorMaps(['7f3000000000-7f3000001000 r-xp 00000000 00:1e 77 /usr/lib/extra.so']),
          '/usr/lib/extra.so': file('so', { mode: 0o555, ino: 604 }),
          '/mnt/lower/usr/lib/extra.so': file('so', { mode: 0o555, ino: 604 }),
        },
      },
      reason: 'digest-mismatch',
      evidence: '/usr/lib/extra.so: sha256',
    },
    { name: 'the image has no manifest', patch: { files: { [MANIFEST]: null } }, reason: 'manifest-missing', evidence: `${MANIFEST}: absent` },
    { name: 'no read-only mount of the root device', patch: { files: { '/proc/mounts': mountsText(withoutLowerMount) } }, reason: 'no-read-only-layer' },
    {
      name: 'the root device mounted read-write',
      patch: { files: { '/proc/mounts': mountsText([...withoutLowerMount, `${GUEST.rootDevice} /mnt/lower ext4 rw,relatime 0 0`]) } },
      reason: 'no-read-only-layer',
    },
  ],
  error: [
    { name: 'a binary cannot be stat-ed', patch: { errors: { [doctor]: 'EACCES' } }, reason: 'unreadable' },
    { name: 'the upper directory unreadable', patch: { errors: { '/mnt/rw/upper': 'EACCES' } }, reason: 'unreadable' },
    { name: '/proc/self/maps unreadable', patch: { errors: { [`/proc/${DOCTOR_PID}/maps`]: 'EACCES' } }, reason: 'unreadable' },
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
    { name: 'the manifest unreadable', patch: { errors: { [MANIFEST]: 'EIO' } }, reason: 'unreadable' },
    { name: 'the manifest garbled', patch: { files: { [MANIFEST]: file('not a manifest\n') } }, reason: 'implausible', evidence: 'not "<sha256>' },
  ],
});
