import { defineCheck, fail, pass } from '../define.ts';
import { isAbsent } from '../observe.ts';

// MAGIC_SYSRQ=n removes both the trigger file and the kernel.sysrq sysctl.
const PATHS = ['/proc/sysrq-trigger', '/proc/sys/kernel/sysrq'];

export default defineCheck({
  name: 'test_no_sysrq_trigger',
  needs: ['procfs'],
  reasons: { 'sysrq-present': '/proc/sysrq-trigger or /proc/sys/kernel/sysrq exists' },
  run(ctx) {
    const present = PATHS.filter((p) => !isAbsent(ctx, p));
    const evidence = PATHS.map((p) => `${p}: ${present.includes(p) ? 'present' : 'absent (ENOENT)'}`);
    return present.length ? fail('sysrq-present', evidence) : pass(evidence);
  },
});
