import check from '../../../src/doctor/checks/test_overlay_configured.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const rootLine = (line: string) => ({
  files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS.filter((l) => !l.startsWith('overlay /')), line]) },
});

testCheck(check, {
  pass: [
    { name: 'overlay at / with lowerdir and upperdir' },
    { name: 'extra overlay options', patch: rootLine('overlay / overlay rw,relatime,lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work,uuid=null 0 0') },
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
    // A second, hidden lower layer: files in it show through the root.
    { name: 'a second lowerdir', patch: rootLine('overlay / overlay rw,lowerdir=/lower:/extra,upperdir=/rw/upper,workdir=/rw/work 0 0'), reason: 'not-one-lowerdir', evidence: '2 layer(s)' },
    { name: 'the lower layer is another directory', patch: rootLine('overlay / overlay rw,lowerdir=/copy,upperdir=/rw/upper,workdir=/rw/work 0 0'), reason: 'not-one-lowerdir' },
    {
      name: 'the lower layer moved there is a tmpfs copy',
      patch: { files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS.filter((l) => !l.startsWith('/dev/vda')), 'tmpfs /mnt/lower tmpfs rw 0 0']) } },
      reason: 'lower-not-the-squashfs',
      evidence: '/mnt/lower: tmpfs on /mnt/lower type tmpfs',
    },
    { name: 'upperdir outside the tmpfs', patch: rootLine('overlay / overlay rw,lowerdir=/lower,upperdir=/upper,workdir=/rw/work 0 0'), reason: 'upper-not-on-tmpfs' },
    {
      name: 'the layers mount is not tmpfs',
      patch: { files: { '/proc/mounts': mountsText([...HEALTHY_MOUNTS.filter((l) => !l.startsWith('tmpfs /mnt/rw')), '/dev/vdb /mnt/rw ext4 rw 0 0']) } },
      reason: 'upper-not-on-tmpfs',
    },
    { name: 'the upper directory is on another filesystem', patch: { devs: { '/mnt/rw/upper': 99 } }, reason: 'upper-not-on-tmpfs', evidence: 'st_dev 99' },
  ],
  error: [
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
    { name: 'the upper directory cannot be stat-ed', patch: { errors: { '/mnt/rw/upper': 'EACCES' } }, reason: 'unreadable' },
    { name: 'nothing mounted at /', patch: { files: { '/proc/mounts': mountsText(HEALTHY_MOUNTS.filter((l) => !l.startsWith('overlay /'))) } }, reason: 'implausible' },
  ],
});
