import { GUEST } from '../../policy/index.ts';
import { compareSets, defineCheck, fail, pass, quote } from '../define.ts';
import { must } from '../observe.ts';

// A second disk (a writable scratch drive, a host block device) is a way in or out.
export default defineCheck({
  name: 'test_block_devices',
  needs: ['sysfs'],
  reasons: {
    'not-the-policy-set': '/sys/block is not exactly the policy\'s block devices',
    'device-writable': 'a block device is not read-only (/sys/block/N/ro is not 1)',
  },
  run(ctx) {
    const { same, evidence } = compareSets('/sys/block', must(ctx.list('/sys/block'), '/sys/block'), GUEST.blockDevices);
    if (!same) return fail('not-the-policy-set', evidence);
    let writable = false;
    for (const d of GUEST.blockDevices) {
      const ro = must(ctx.text(`/sys/block/${d}/ro`), `/sys/block/${d}/ro`).trim();
      evidence.push(`/sys/block/${d}/ro: ${quote(ro)} (policy: 1)`);
      writable ||= ro !== '1';
    }
    return writable ? fail('device-writable', evidence) : pass(evidence);
  },
});
