import { GUEST } from '../../policy/index.ts';
import { defineCheck, fail, pass } from '../define.ts';
import { describeMount, lowerDirs, mountAt, mountOption } from '../mounts.ts';
import { implausible, must, readMounts } from '../observe.ts';

const { lower: LOWER, rw: RW } = GUEST.overlayLayers;

// Options are matched as whole comma-separated keys, never as substrings. The
// overlay keeps the stage-1 paths init gave it (GUEST.overlayLayers); the
// layers were moved to their final mount points, where their type is proven.
export default defineCheck({
  name: 'test_overlay_configured',
  needs: ['procfs'],
  reasons: {
    'root-not-overlay': 'the mount visible at / is not overlay',
    'no-lowerdir': 'the root overlay has no lowerdir',
    'no-upperdir': 'the root overlay has no upperdir (a read-only overlay)',
    'not-one-lowerdir': `the overlay's lowerdir is not exactly one layer, ${LOWER.stage1}`,
    'lower-not-the-squashfs': `the lower layer (moved to ${LOWER.final}) is not the squashfs mount of ${GUEST.rootDevice}`,
    'upper-not-on-tmpfs': `upperdir or workdir is not on the tmpfs moved to ${RW.final}`,
  },
  run(ctx) {
    const mounts = readMounts(ctx);
    const root = mountAt(mounts, '/') ?? implausible('/proc/mounts has no mount at /');
    const evidence = [`/proc/mounts: ${describeMount(root)}`];
    if (root.fstype !== 'overlay') return fail('root-not-overlay', evidence);
    const given = (key: string) => {
      const v = mountOption(root, key);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const lowerdir = given('lowerdir');
    const upperdir = given('upperdir');
    if (!lowerdir) return fail('no-lowerdir', evidence);
    if (!upperdir) return fail('no-upperdir', evidence);
    const layers = lowerDirs(lowerdir);
    evidence.push(`lowerdir: ${layers.length} layer(s) [${layers.join(', ')}] (policy: exactly ${LOWER.stage1})`);
    if (layers.length !== 1 || layers[0] !== LOWER.stage1) return fail('not-one-lowerdir', evidence);

    const lower = mountAt(mounts, LOWER.final);
    evidence.push(`${LOWER.final}: ${lower ? describeMount(lower) : 'not mounted'} (policy: ${GUEST.rootDevice} type squashfs)`);
    if (lower?.source !== GUEST.rootDevice || lower.fstype !== 'squashfs') return fail('lower-not-the-squashfs', evidence);

    const rw = mountAt(mounts, RW.final);
    const workdir = given('workdir') ?? '';
    evidence.push(`${RW.final}: ${rw ? describeMount(rw) : 'not mounted'}; upperdir ${upperdir}, workdir ${workdir || 'none'} (policy: both under ${RW.stage1} on tmpfs)`);
    const underRw = (p: string) => p.startsWith(`${RW.stage1}/`);
    if (rw?.fstype !== 'tmpfs' || !underRw(upperdir) || !underRw(workdir)) return fail('upper-not-on-tmpfs', evidence);
    // The upper directory really is on that tmpfs (same st_dev as its mount point).
    const upperNow = RW.final + upperdir.slice(RW.stage1.length);
    const [top, up] = [must(ctx.stat(RW.final), RW.final), must(ctx.stat(upperNow), upperNow)];
    evidence.push(`${upperNow}: st_dev ${up.dev}; ${RW.final}: st_dev ${top.dev}`);
    return up.dev === top.dev ? pass(evidence) : fail('upper-not-on-tmpfs', evidence);
  },
});
