import check from '../../../src/doctor/checks/test_overlay_configured.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const rootLine = (line: string) => ({
  files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS.filter((l) => !l.startsWith('overlay /')), line]) },
});

testCheck(check, {
  pass: [
    { name: 'overlay at / with lowerdir and upperdir' },
    { name: 'several lower layers', patch: rootLine('overlay / overlay rw,lowerdir=/a:/b,upperdir=/rw/upper,workdir=/rw/work 0 0') },
  ],
  fail: [
    { name: 'root is squashfs', patch: rootLine('/dev/vda / squashfs ro 0 0'), reason: 'root-not-overlay' },
    // An overlay shadowed by a later mount at / is not what / is.
    {
      name: 'a tmpfs mounted over the overlay',
      patch: { files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS, 'tmpfs / tmpfs rw 0 0']) } },
      reason: 'root-not-overlay',
    },
    { name: 'overlay without upperdir (read-only overlay)', patch: rootLine('overlay / overlay ro,lowerdir=/a:/b 0 0'), reason: 'no-upperdir' },
    // Substring matching would accept these.
    { name: 'xlowerdir= is not lowerdir=', patch: rootLine('overlay / overlay rw,xlowerdir=/a,upperdir=/u,workdir=/w 0 0'), reason: 'no-lowerdir' },
    { name: 'empty upperdir=', patch: rootLine('overlay / overlay rw,lowerdir=/a,upperdir=,workdir=/w 0 0'), reason: 'no-upperdir' },
    { name: 'upperdir only inside a path', patch: rootLine('overlay / overlay rw,lowerdir=/upperdir=/x,workdir=/w 0 0'), reason: 'no-upperdir' },
  ],
  error: [
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
    { name: 'nothing mounted at /', patch: { files: { '/proc/mounts': mountsText(HEALTHY_MOUNTS.filter((l) => !l.startsWith('overlay /'))) } }, reason: 'implausible' },
  ],
});
