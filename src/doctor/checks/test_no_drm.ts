import { defineCheck } from '../define.ts';
import { sysfsNamesAbsent } from '../kinds.ts';

export default defineCheck({
  name: 'test_no_drm',
  ...sysfsNamesAbsent([{ dir: '/sys/class', names: ['drm'], witness: 'mem' }]),
});
