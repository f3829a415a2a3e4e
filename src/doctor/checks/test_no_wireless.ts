import { defineCheck } from '../define.ts';
import { sysfsNamesAbsent } from '../kinds.ts';

// cfg80211 registers the ieee80211 class; the Bluetooth core registers bluetooth.
export default defineCheck({
  name: 'test_no_wireless',
  ...sysfsNamesAbsent([{ dir: '/sys/class', names: ['ieee80211', 'bluetooth'], witness: 'mem' }]),
});
