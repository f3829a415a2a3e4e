import { defineCheck, fail, pass } from '../define.ts';
import { describeMount } from '../mounts.ts';
import { readFilesystems, readMounts } from '../observe.ts';

// "Not mounted" alone passes a kernel that has debugfs and merely did not mount it.
export default defineCheck({
  name: 'test_no_debugfs',
  needs: ['procfs'],
  reasons: {
    'debugfs-mounted': 'a debugfs is mounted',
    'debugfs-built-in': 'debugfs is a registered filesystem type (it could be mounted)',
  },
  run(ctx) {
    const mounted = readMounts(ctx).filter((m) => m.fstype === 'debugfs');
    const registered = readFilesystems(ctx).has('debugfs');
    const evidence = [
      mounted.length ? `/proc/mounts: ${mounted.map(describeMount).join('; ')}` : '/proc/mounts: no debugfs',
      `/proc/filesystems: ${registered ? 'lists debugfs' : 'no debugfs'}`,
    ];
    if (mounted.length) return fail('debugfs-mounted', evidence);
    if (registered) return fail('debugfs-built-in', evidence);
    return pass(evidence);
  },
});
