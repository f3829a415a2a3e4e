import { GUEST } from '../../policy/index.ts';
import { compareSets, defineCheck, fail, pass } from '../define.ts';
import { readFilesystems } from '../observe.ts';

// The registered types, not the mounted ones: a built-in 9p, cifs or ceph can
// be mounted by anyone with CAP_SYS_ADMIN, so any type beyond the policy's set fails.
export default defineCheck({
  name: 'test_filesystems_allowlist',
  needs: ['procfs'],
  reasons: { 'not-the-policy-set': '/proc/filesystems is not exactly the policy\'s set of filesystem types' },
  run(ctx) {
    const { same, evidence } = compareSets('/proc/filesystems', [...readFilesystems(ctx)], GUEST.filesystems);
    return same ? pass(evidence) : fail('not-the-policy-set', evidence);
  },
});
