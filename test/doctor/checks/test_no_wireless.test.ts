import check from '../../../src/doctor/checks/test_no_wireless.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { sysfsNameTests } from '../helpers/sysfs-cases.ts';

testCheck(check, sysfsNameTests('/sys/class', ['ieee80211', 'bluetooth'], 'mem'));
