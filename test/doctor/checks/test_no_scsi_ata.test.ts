import check from '../../../src/doctor/checks/test_no_scsi_ata.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { sysfsNameTests } from '../helpers/sysfs-cases.ts';

const bus = sysfsNameTests('/sys/bus', ['scsi'], 'platform');
const classes = sysfsNameTests(
  '/sys/class',
  ['scsi_host', 'scsi_device', 'scsi_disk', 'scsi_generic', 'ata_port', 'ata_link', 'ata_device'],
  'mem',
);

testCheck(check, {
  pass: [...bus.pass, ...classes.pass],
  fail: [...bus.fail, ...classes.fail],
  error: [...bus.error, ...classes.error],
});
