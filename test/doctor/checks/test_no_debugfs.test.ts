import check from '../../../src/doctor/checks/test_no_debugfs.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { HEALTHY_MOUNTS, filesystemsText, mountsText } from '../helpers/healthy-guest.ts';

testCheck(check, {
  pass: [{ name: 'not mounted and not a registered filesystem' }],
  fail: [
    {
      name: 'mounted',
      patch: {
        files: {
          '/proc/mounts': mountsText([...HEALTHY_MOUNTS, 'debugfs /sys/kernel/debug debugfs rw,relatime 0 0']),
          '/proc/filesystems': filesystemsText(['nodev\tdebugfs']),
        },
      },
      reason: 'debugfs-mounted',
    },
    {
      // The case "not mounted" alone misses.
      name: 'not mounted but compiled in',
      patch: { files: { '/proc/filesystems': filesystemsText(['nodev\tdebugfs']) } },
      reason: 'debugfs-built-in',
    },
  ],
  error: [
    { name: '/proc/filesystems unreadable', patch: { errors: { '/proc/filesystems': 'EIO' } }, reason: 'unreadable' },
    { name: '/proc/filesystems without proc', patch: { files: { '/proc/filesystems': file('\text4\n') } }, reason: 'implausible' },
    { name: '/proc/mounts malformed', patch: { files: { '/proc/mounts': file('garbage line\n') } }, reason: 'implausible' },
    { name: '/proc/mounts empty', patch: { files: { '/proc/mounts': file('') } }, reason: 'implausible' },
  ],
});
