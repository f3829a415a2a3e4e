import { defineCheck, fail, pass } from '../define.ts';
import { describeMount, mountAt, mountOption } from '../mounts.ts';
import { implausible, readMounts } from '../observe.ts';

// Options are matched as whole comma-separated keys, never as substrings.
export default defineCheck({
  name: 'test_overlay_configured',
  needs: ['procfs'],
  reasons: {
    'root-not-overlay': 'the mount visible at / is not overlay',
    'no-lowerdir': 'the root overlay has no lowerdir',
    'no-upperdir': 'the root overlay has no upperdir (a read-only overlay)',
  },
  run(ctx) {
    const root = mountAt(readMounts(ctx), '/') ?? implausible('/proc/mounts has no mount at /');
    const evidence = [`/proc/mounts: ${describeMount(root)}`];
    if (root.fstype !== 'overlay') return fail('root-not-overlay', evidence);
    const given = (key: string) => {
      const v = mountOption(root, key);
      return typeof v === 'string' && v !== '';
    };
    if (!given('lowerdir')) return fail('no-lowerdir', evidence);
    if (!given('upperdir')) return fail('no-upperdir', evidence);
    return pass(evidence);
  },
});
