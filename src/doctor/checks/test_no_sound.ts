import { defineCheck } from '../define.ts';
import { sysfsNamesAbsent } from '../kinds.ts';

// The mem class (null, zero, ...) always exists: it proves the listing is sysfs's.
export default defineCheck({
  name: 'test_no_sound',
  ...sysfsNamesAbsent([{ dir: '/sys/class', names: ['sound'], witness: 'mem' }]),
});
