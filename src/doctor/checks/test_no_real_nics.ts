import { GUEST } from '../../policy/index.ts';
import { defineCheck, fail, pass } from '../define.ts';
import { must } from '../observe.ts';

// An exact set, not a prefix blacklist: anything but the allowed NICs fails,
// and a listing that cannot be read is an error, never a pass.
export default defineCheck({
  name: 'test_no_real_nics',
  needs: ['sysfs'],
  reasons: { 'unexpected-nics': `/sys/class/net is not exactly {${GUEST.allowedNics.join(', ')}}` },
  run(ctx) {
    const nics = must(ctx.list('/sys/class/net'), '/sys/class/net');
    const allowed: readonly string[] = GUEST.allowedNics;
    const extra = nics.filter((n) => !allowed.includes(n));
    const missing = allowed.filter((n) => !nics.includes(n));
    const evidence = [`/sys/class/net: [${nics.join(', ')}] (policy: ${allowed.join(', ')})`];
    if (extra.length) evidence.push(`not allowed: ${extra.join(', ')}`);
    if (missing.length) evidence.push(`missing: ${missing.join(', ')}`);
    return extra.length || missing.length ? fail('unexpected-nics', evidence) : pass(evidence);
  },
});
