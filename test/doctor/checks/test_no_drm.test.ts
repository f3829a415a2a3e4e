import check from '../../../src/doctor/checks/test_no_drm.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { sysfsNameTests } from '../helpers/sysfs-cases.ts';

testCheck(check, sysfsNameTests('/sys/class', ['drm'], 'mem'));
