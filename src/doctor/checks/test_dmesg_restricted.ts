import { defineCheck, fail, pass, quote } from '../define.ts';
import { must } from '../observe.ts';

const SYSCTL = '/proc/sys/kernel/dmesg_restrict';

export default defineCheck({
  name: 'test_dmesg_restricted',
  needs: ['procfs'],
  reasons: {
    'not-restricted': 'kernel.dmesg_restrict is not 1',
    'sysctl-absent': 'kernel.dmesg_restrict does not exist although /proc/sys/kernel does',
  },
  run(ctx) {
    const value = ctx.text(SYSCTL);
    if (!value.ok && value.code === 'ENOENT') {
      must(ctx.list('/proc/sys/kernel'), '/proc/sys/kernel');
      return fail('sysctl-absent', [`${SYSCTL}: absent (ENOENT); /proc/sys/kernel exists`]);
    }
    const v = must(value, SYSCTL).trim();
    const evidence = [`${SYSCTL}: ${quote(v)}`];
    return v === '1' ? pass(evidence) : fail('not-restricted', evidence);
  },
});
