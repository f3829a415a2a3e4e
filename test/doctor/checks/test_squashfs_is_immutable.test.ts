import check from '../../../src/doctor/checks/test_squashfs_is_immutable.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { blockDev, file } from '../helpers/fake-guest.ts';
import { DEV, HEALTHY_MOUNTS, mountsText } from '../helpers/healthy-guest.ts';

const dev = GUEST.rootDevice;
const withoutLower = HEALTHY_MOUNTS.filter((l) => !l.startsWith(dev));
const squashImage = Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(60)]);
const doctor = `${GUEST.capsemBinDir}/capsem-doctor`;

testCheck(check, {
  pass: [
    { name: 'overlay over the /dev/vda squashfs at /mnt/lower' },
    {
      // The root-not-overlay guest: squashfs straight at / is still immutable.
      name: 'squashfs mounted directly at /',
      patch: {
        files: { '/proc/mounts': mountsText([...withoutLower.filter((l) => !l.startsWith('overlay')), `${dev} / squashfs ro,relatime 0 0`]) },
        devs: { '/': DEV.squashfs },
      },
    },
  ],
  fail: [
    // The lower-not-squashfs guest: a tmpfs copy, /dev/vda unmounted.
    { name: '/dev/vda not mounted', patch: { files: { '/proc/mounts': mountsText(withoutLower) } }, reason: 'root-device-not-mounted' },
    {
      name: '/dev/vda mounted as ext4',
      patch: { files: { '/proc/mounts': mountsText([...withoutLower, `${dev} /mnt/lower ext4 ro,relatime 0 0`]) } },
      reason: 'root-device-not-squashfs',
    },
    {
      name: 'the mount at /mnt/lower is not the device (st_dev differs from rdev)',
      patch: { devs: { '/mnt/lower': 0xfe10 } },
      reason: 'mount-not-the-device',
    },
    { name: '/dev/vda is not a block device', patch: { files: { [dev]: file(squashImage) } }, reason: 'mount-not-the-device' },
    {
      name: 'superblock is not squashfs',
      patch: { files: { [dev]: blockDev(DEV.squashfs, Buffer.alloc(64)) } },
      reason: 'bad-superblock',
      evidence: 'superblock magic',
    },
    {
      name: 'the binaries on / are not the squashfs files',
      patch: { files: { [doctor]: file('#!other\n', { mode: 0o555, ino: 9001 }) } },
      reason: 'not-the-root-layer',
    },
  ],
  error: [
    { name: '/dev/vda cannot be read', patch: { errors: { [dev]: 'EACCES' } }, reason: 'unreadable' },
    { name: 'the lower mount point cannot be stat-ed', patch: { errors: { '/mnt/lower': 'EIO' } }, reason: 'unreadable' },
    { name: 'a binary on / cannot be stat-ed', patch: { errors: { [doctor]: 'EIO' } }, reason: 'unreadable' },
  ],
});
