import check from '../../../src/doctor/checks/test_no_usb.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { sysfsNameTests } from '../helpers/sysfs-cases.ts';

testCheck(check, sysfsNameTests('/sys/bus', ['usb'], 'platform'));
