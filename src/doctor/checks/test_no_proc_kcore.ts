import { defineCheck, describeMiss, fail, pass } from '../define.ts';
import { must } from '../observe.ts';

// Reading its first bytes is the test: the spec accepts a kcore that exists but cannot be read.
export default defineCheck({
  name: 'test_no_proc_kcore',
  needs: ['procfs'],
  reasons: { 'kcore-readable': '/proc/kcore exists and its first bytes can be read' },
  run(ctx) {
    const head = ctx.head('/proc/kcore', 4);
    if (!head.ok && ['ENOENT', 'EACCES', 'EPERM'].includes(head.code)) {
      return pass([describeMiss('/proc/kcore', head.code)]);
    }
    const bytes = must(head, '/proc/kcore');
    if (bytes.length === 0) return pass(['/proc/kcore: reads as empty']);
    return fail('kcore-readable', [`/proc/kcore: readable, starts ${JSON.stringify(bytes.toString('latin1'))}`]);
  },
});
