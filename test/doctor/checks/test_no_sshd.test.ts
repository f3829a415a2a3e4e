import check from '../../../src/doctor/checks/test_no_sshd.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { processTests } from '../helpers/process-cases.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, processTests(GUEST.forbiddenProcesses.sshd));
