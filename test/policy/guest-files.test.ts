import { describe, expect, it } from 'vitest';
import { CAPSEM_BIN_DIRS, forbiddenFile } from '../../src/policy/index.ts';

// The sshd/cron/systemd file table the image builder and the doctor both read.
describe('forbiddenFile', () => {
  it.each([
    ['/usr/sbin/sshd', 'sshd', 'sshd binary'],
    ['/etc/ssh/sshd_config', 'sshd', 'ssh configuration'],
    ['/usr/sbin/cron', 'cron', 'cron binary'],
    ['/usr/sbin/crond', 'cron', 'crond binary'],
    ['/etc/crontab', 'cron', 'cron table'],
    ['/etc/cron.daily/dpkg', 'cron', 'cron table'],
    ['/var/spool/cron/crontabs/root', 'cron', 'cron table'],
    ['/lib/systemd/systemd', 'systemd', 'systemd binary'],
    ['/usr/lib/systemd/system/fstrim.timer', 'systemd', 'systemd file'],
    ['/usr/bin/systemd-tmpfiles', 'systemd', 'systemd file'],
    ['/etc/foo.service', 'systemd', 'systemd unit'],
    ['/opt/x.socket', 'systemd', 'systemd unit'],
  ])('%s: %s (%s)', (path, daemon, what) => expect(forbiddenFile(path)).toEqual({ daemon, what }));

  it.each(['/usr/bin/ssh', '/usr/lib/apt/methods/ssh', '/usr/lib/x86_64-linux-gnu/libsystemd.so.0', '/usr/bin/deb-systemd-helper', '/usr/share/doc/passwd/examples/passwd.expire.cron', '/usr/bin/python3', '/etc/sshd.conf.d', '/etc/servicefile'])(
    '%s: allowed',
    (path) => expect(forbiddenFile(path)).toBeUndefined(),
  );

  it('the directories of the capsem binaries, from / down', () => expect(CAPSEM_BIN_DIRS).toEqual(['/', '/usr', '/usr/local', '/usr/local/bin']));
});
