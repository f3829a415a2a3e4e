import { GUEST } from '../../policy/index.ts';
import { defineCheck, fail, pass } from '../define.ts';
import { describeMount } from '../mounts.ts';
import { must, readMounts, sameFileOnLayer } from '../observe.ts';

const SQUASHFS_MAGIC = 'hsqs'; // 0x73717368, little-endian, at offset 0

// Four proofs that / is served from the squashfs on the root device: the
// device is mounted as squashfs, that mount really is the device (st_dev of
// the mount = st_rdev of the node), the device's superblock is squashfs, and
// the capsem binaries seen on / are the squashfs's own files (the witness
// that the mount is the layer / is made of, whatever path the overlay's
// lowerdir option recorded before switch_root).
export default defineCheck({
  name: 'test_squashfs_is_immutable',
  needs: ['procfs', 'devtmpfs'],
  reasons: {
    'root-device-not-mounted': `${GUEST.rootDevice} is not mounted anywhere visible`,
    'root-device-not-squashfs': `a mount of ${GUEST.rootDevice} is not squashfs`,
    'mount-not-the-device': `the mount's st_dev is not ${GUEST.rootDevice}'s st_rdev (or it is not a block device)`,
    'bad-superblock': `${GUEST.rootDevice} does not start with the squashfs magic`,
    'not-the-root-layer': 'the capsem binaries on / are not the files of the squashfs mount',
  },
  run(ctx) {
    const dev = GUEST.rootDevice;
    const mounts = readMounts(ctx).filter((m) => m.source === dev);
    if (mounts.length === 0) return fail('root-device-not-mounted', [`/proc/mounts: no mount of ${dev}`]);
    const evidence = mounts.map((m) => `/proc/mounts: ${describeMount(m)}`);
    if (mounts.some((m) => m.fstype !== 'squashfs')) return fail('root-device-not-squashfs', evidence);

    const node = must(ctx.stat(dev), dev);
    evidence.push(`${dev}: ${node.kind} device, rdev ${node.rdev}`);
    if (node.kind !== 'block') return fail('mount-not-the-device', evidence);
    for (const m of mounts) {
      const st = must(ctx.stat(m.mountpoint), m.mountpoint);
      evidence.push(`${m.mountpoint}: st_dev ${st.dev}`);
      if (st.dev !== node.rdev) return fail('mount-not-the-device', evidence);
    }

    const magic = must(ctx.head(dev, 4), dev).toString('latin1');
    evidence.push(`${dev} superblock magic: ${JSON.stringify(magic)}`);
    if (magic !== SQUASHFS_MAGIC) return fail('bad-superblock', evidence);

    const layer = mounts.at(-1)!.mountpoint;
    let same = true;
    for (const b of GUEST.capsemBinaries) {
      const w = sameFileOnLayer(ctx, `${GUEST.capsemBinDir}/${b}`, layer);
      evidence.push(w.evidence);
      same &&= w.same;
    }
    return same ? pass(evidence) : fail('not-the-root-layer', evidence);
  },
});
