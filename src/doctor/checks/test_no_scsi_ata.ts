import { defineCheck } from '../define.ts';
import { sysfsNamesAbsent } from '../kinds.ts';

// The SCSI midlayer registers the scsi bus and scsi_* classes; libata the ata_* transport classes.
export default defineCheck({
  name: 'test_no_scsi_ata',
  ...sysfsNamesAbsent([
    { dir: '/sys/bus', names: ['scsi'], witness: 'platform' },
    {
      dir: '/sys/class',
      names: ['scsi_host', 'scsi_device', 'scsi_disk', 'scsi_generic', 'ata_port', 'ata_link', 'ata_device'],
      witness: 'mem',
    },
  ]),
});
