import { defineCheck } from '../define.ts';
import { sysfsNamesAbsent } from '../kinds.ts';

// The platform bus always exists: it proves the listing is sysfs's.
export default defineCheck({
  name: 'test_no_usb',
  ...sysfsNamesAbsent([{ dir: '/sys/bus', names: ['usb'], witness: 'platform' }]),
});
