import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, statSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enforceTree, verifyListing } from '../../src/guest/findings.ts';
import { type ListedEntry, listSquashfs, makeSquashfs, parsePerms, parseSquashfsListing } from '../../src/guest/squashfs.ts';
import { sha256 } from '../../src/util/fs.ts';

describe('parsePerms', () => {
  it.each([
    ['-rwxr-xr-x', 0o755],
    ['-r-xr-xr-x', 0o555],
    ['-rwsr-xr-x', 0o4755],
    ['-rwSr--r--', 0o4644],
    ['-rwxr-sr-x', 0o2755],
    ['drwxrwxrwt', 0o1777],
    ['lrwxrwxrwx', 0o777],
  ])('%s', (perms, mode) => expect(parsePerms(perms)).toBe(mode));
});

describe('parseSquashfsListing', () => {
  it('reads unsquashfs -lln lines, symlinks included, root as /', () => {
    const text = [
      'drwxr-xr-x 0/0                     163 1970-01-01 00:00 squashfs-root',
      'lrwxrwxrwx 0/0                       7 1970-01-01 00:00 squashfs-root/bin/[ -> busybox',
      '-rwsr-xr-x 0/0                 1982256 1970-01-01 00:00 squashfs-root/bin/busybox',
      '-r-xr-xr-x 1000/1000                68 1970-01-01 00:00 squashfs-root/usr/local/bin/capsem-doctor',
      'Parallel unsquashfs: Using 2 processors',
    ].join('\n');
    expect(parseSquashfsListing(text)).toEqual([
      { path: '/', type: 'd', mode: 0o755, uid: 0, gid: 0 },
      { path: '/bin/[', type: 'l', mode: 0o777, uid: 0, gid: 0 },
      { path: '/bin/busybox', type: '-', mode: 0o4755, uid: 0, gid: 0 },
      { path: '/usr/local/bin/capsem-doctor', type: '-', mode: 0o555, uid: 1000, gid: 1000 },
    ]);
  });
});

const good: ListedEntry[] = [
  { path: '/', type: 'd', mode: 0o755, uid: 0, gid: 0 },
  { path: '/bin/busybox', type: '-', mode: 0o755, uid: 0, gid: 0 },
  { path: '/usr/local/bin/capsem-doctor', type: '-', mode: 0o555, uid: 0, gid: 0 },
  { path: '/usr/local/bin/capsem-probe', type: '-', mode: 0o555, uid: 0, gid: 0 },
  { path: '/usr/local/bin/capsem-init', type: '-', mode: 0o555, uid: 0, gid: 0 },
];
const withEntry = (e: ListedEntry) => [...good.filter((g) => g.path !== e.path), e];

describe('verifyListing', () => {
  it('the real layout has no findings', () => expect(verifyListing(good)).toEqual([]));

  // Each row: a change to the good listing and the finding it must produce.
  it.each<[string, ListedEntry[], string]>([
    ['setuid file', withEntry({ path: '/usr/bin/x', type: '-', mode: 0o4755, uid: 0, gid: 0 }), '/usr/bin/x: setuid'],
    ['setgid file', withEntry({ path: '/usr/bin/x', type: '-', mode: 0o2755, uid: 0, gid: 0 }), '/usr/bin/x: setgid'],
    ['writable capsem binary', withEntry({ path: '/usr/local/bin/capsem-probe', type: '-', mode: 0o755, uid: 0, gid: 0 }), '/usr/local/bin/capsem-probe: - mode 0755 owner 0:0 (want a file, 0555, 0:0)'],
    ['capsem binary not root', withEntry({ path: '/usr/local/bin/capsem-init', type: '-', mode: 0o555, uid: 1, gid: 0 }), '/usr/local/bin/capsem-init: - mode 0555 owner 1:0 (want a file, 0555, 0:0)'],
    ['capsem binary a symlink', withEntry({ path: '/usr/local/bin/capsem-doctor', type: 'l', mode: 0o777, uid: 0, gid: 0 }), '/usr/local/bin/capsem-doctor: l mode 0777 owner 0:0 (want a file, 0555, 0:0)'],
    ['capsem binary missing', good.filter((g) => !g.path.endsWith('capsem-probe')), '/usr/local/bin/capsem-probe: missing'],
    ['sshd', withEntry({ path: '/usr/sbin/sshd', type: '-', mode: 0o755, uid: 0, gid: 0 }), '/usr/sbin/sshd: sshd binary'],
    ['crond', withEntry({ path: '/usr/sbin/crond', type: '-', mode: 0o755, uid: 0, gid: 0 }), '/usr/sbin/crond: crond binary'],
    ['a unit under /usr/lib/systemd', withEntry({ path: '/usr/lib/systemd/system/x.timer', type: '-', mode: 0o644, uid: 0, gid: 0 }), '/usr/lib/systemd/system/x.timer: systemd file'],
    ['systemd', withEntry({ path: '/lib/systemd/systemd', type: '-', mode: 0o755, uid: 0, gid: 0 }), '/lib/systemd/systemd: systemd binary'],
    ['a unit', withEntry({ path: '/etc/foo.service', type: '-', mode: 0o644, uid: 0, gid: 0 }), '/etc/foo.service: systemd unit'],
    ['a crontab', withEntry({ path: '/etc/crontab', type: '-', mode: 0o644, uid: 0, gid: 0 }), '/etc/crontab: cron table'],
    ['ssh config', withEntry({ path: '/etc/ssh/sshd_config', type: '-', mode: 0o644, uid: 0, gid: 0 }), '/etc/ssh/sshd_config: ssh configuration'],
  ])('%s', (_name, listing, finding) => expect(verifyListing(listing)).toContain(finding));

  it('a link or a directory of a daemon\'s name is no finding (the doctor reads files)', () => {
    expect(verifyListing([...good, { path: '/usr/sbin/crond', type: 'l', mode: 0o777, uid: 0, gid: 0 }, { path: '/etc/systemd', type: 'd', mode: 0o755, uid: 0, gid: 0 }])).toEqual([]);
  });

  it('lists every problem at once', () => {
    const bad = [...withEntry({ path: '/usr/local/bin/capsem-probe', type: '-', mode: 0o4777, uid: 0, gid: 0 })];
    expect(verifyListing(bad)).toEqual([
      '/usr/local/bin/capsem-probe: - mode 4777 owner 0:0 (want a file, 0555, 0:0)',
      '/usr/local/bin/capsem-probe: setuid',
    ]);
  });
});

describe('enforceTree and the squashfs', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function tree(): string {
    dir = mkdtempSync(join(tmpdir(), 'capsem-rootfs-test-'));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    mkdirSync(join(root, 'bin'), { recursive: true });
    for (const b of ['capsem-doctor', 'capsem-probe', 'capsem-init']) writeFileSync(join(root, 'usr/local/bin', b), `#!/bin/sh\n# ${b}\n`, { mode: 0o755 });
    writeFileSync(join(root, 'bin/tool'), 'x', { mode: 0o755 });
    chmodSync(join(root, 'bin/tool'), 0o6755);
    return root;
  }

  it('strips setuid/setgid and makes capsem binaries 0555, saying what it changed', async () => {
    const root = tree();
    const changed = await enforceTree(root);
    expect(statSync(join(root, 'bin/tool')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(root, 'usr/local/bin/capsem-probe')).mode & 0o7777).toBe(0o555);
    expect(changed).toContain('/bin/tool: setuid/setgid bits stripped');
    expect(changed.filter((c) => c.includes('set to 0555'))).toHaveLength(3);
  });

  it('refuses a tree with a forbidden daemon', async () => {
    const root = tree();
    writeFileSync(join(root, 'bin/sshd'), 'x');
    await expect(enforceTree(root)).rejects.toThrow(/\/bin\/sshd: sshd binary/);
  });

  it('builds a reproducible squashfs that re-verifies clean', async () => {
    const root = tree();
    await enforceTree(root);
    await makeSquashfs(root, join(dir, 'a.sqfs'));
    // Different mtimes on the inputs must not matter.
    writeFileSync(join(root, 'bin/tool'), 'x');
    await makeSquashfs(root, join(dir, 'b.sqfs'));
    expect(sha256(readFileSync(join(dir, 'a.sqfs')))).toBe(sha256(readFileSync(join(dir, 'b.sqfs'))));
    expect(verifyListing(await listSquashfs(join(dir, 'a.sqfs')))).toEqual([]);
  });
});
