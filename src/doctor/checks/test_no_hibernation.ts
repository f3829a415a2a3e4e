import { defineCheck, fail, pass, quote } from '../define.ts';
import { must } from '../observe.ts';

// kernel/power: /sys/power/disk exists only with HIBERNATION, and /sys/power/state
// offers "disk" only when hibernation is possible. No /sys/power: no PM at all.
export default defineCheck({
  name: 'test_no_hibernation',
  needs: ['sysfs'],
  reasons: { 'hibernation-available': '/sys/power offers hibernation (a disk state or the disk file)' },
  run(ctx) {
    const entries = ctx.list('/sys/power');
    if (!entries.ok && entries.code === 'ENOENT') return pass(['/sys/power: absent (ENOENT): no power management']);
    const names = must(entries, '/sys/power');
    const state = names.includes('state') ? must(ctx.text('/sys/power/state'), '/sys/power/state').trim() : undefined;
    const diskState = state?.split(/\s+/).includes('disk') ?? false;
    const evidence = [
      `/sys/power: [${names.join(', ')}]`,
      state === undefined ? '/sys/power/state: absent' : `/sys/power/state: ${quote(state)}`,
    ];
    return names.includes('disk') || diskState ? fail('hibernation-available', evidence) : pass(evidence);
  },
});
