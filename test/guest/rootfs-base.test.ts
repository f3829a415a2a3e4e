import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identifyBase, parseDockerManifest, readBase } from '../../src/guest/base/index.ts';
import { applyLayer } from '../../src/guest/base/layers.ts';
import { runTool } from '../../src/guest/exec.ts';
import { type Finding, fixFindings, scanTree } from '../../src/guest/findings.ts';
import { makeSquashfs } from '../../src/guest/squashfs.ts';
import { InputError } from '../../src/util/errors.ts';

// The readers of a user's root (directory, tar, docker save, squashfs) and
// the scan and fixes of `rootfs --base`, on small trees made here (as root:
// owners and capabilities are part of what is read).

let tmp = '';
afterEach(() => rmSync(tmp, { recursive: true, force: true }));
const fresh = () => (tmp = mkdtempSync(join(tmpdir(), 'capsem-base-test-')));

/** A small root: a setuid file owned by 1000, a setgid dir, a unit, a link. */
function sampleRoot(dir: string): string {
  const root = join(dir, 'src');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'etc/cron.d'), { recursive: true });
  mkdirSync(join(root, 'var/mail'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/su'), 'su');
  chmodSync(join(root, 'usr/bin/su'), 0o4755);
  writeFileSync(join(root, 'usr/bin/tool'), 'tool');
  chownSync(join(root, 'usr/bin/tool'), 1000, 1000);
  chmodSync(join(root, 'var/mail'), 0o2775);
  writeFileSync(join(root, 'etc/cron.d/job'), '* * * * * root true\n');
  symlinkSync('su', join(root, 'usr/bin/su-link'));
  return root;
}

function expectSample(staging: string): void {
  expect(lstatSync(join(staging, 'usr/bin/su')).mode & 0o7777).toBe(0o4755);
  expect(lstatSync(join(staging, 'var/mail')).mode & 0o7777).toBe(0o2775);
  expect(lstatSync(join(staging, 'usr/bin/tool')).uid).toBe(1000);
  expect(lstatSync(join(staging, 'usr/bin/su-link')).isSymbolicLink()).toBe(true);
  expect(readFileSync(join(staging, 'etc/cron.d/job'), 'utf8')).toContain('root true');
}

describe('the base readers keep modes, owners and links', () => {
  it('a directory', async () => {
    const dir = fresh();
    const base = await identifyBase(sampleRoot(dir));
    expect(base.kind).toBe('dir');
    await readBase(base, join(dir, 'staging'));
    expectSample(join(dir, 'staging'));
  });

  it('a directory\'s digest changes with its content', async () => {
    const dir = fresh();
    const root = sampleRoot(dir);
    const a = (await identifyBase(root)).digest;
    chmodSync(join(root, 'usr/bin/tool'), 0o700);
    expect((await identifyBase(root)).digest).not.toBe(a);
  });

  it.each([['plain', []], ['gzip', ['-z']]] as const)('a tar archive (%s, as docker export writes it)', async (_n, flags) => {
    const dir = fresh();
    const root = sampleRoot(dir);
    await runTool('tar', ['-c', ...flags, '-f', join(dir, 'root.tar'), '-C', root, '--numeric-owner', '.']);
    const base = await identifyBase(join(dir, 'root.tar'));
    expect(base.kind).toBe('tar');
    await readBase(base, join(dir, 'staging'));
    expectSample(join(dir, 'staging'));
  });

  it('a squashfs', async () => {
    const dir = fresh();
    await makeSquashfs(sampleRoot(dir), join(dir, 'root.sqfs'), undefined, true);
    const base = await identifyBase(join(dir, 'root.sqfs'));
    expect(base.kind).toBe('squashfs');
    await readBase(base, join(dir, 'staging'));
    expectSample(join(dir, 'staging'));
  });

  it('a docker save archive: layers in order, a whiteout deletes, an opaque directory hides the lower layers\' entries', async () => {
    const dir = fresh();
    const l1 = sampleRoot(dir);
    mkdirSync(join(l1, 'opt/old'), { recursive: true });
    writeFileSync(join(l1, 'opt/old/a'), 'a');
    writeFileSync(join(l1, 'opt/keep'), 'keep');
    const l2 = join(dir, 'l2');
    mkdirSync(join(l2, 'usr/bin'), { recursive: true });
    mkdirSync(join(l2, 'opt/old'), { recursive: true });
    writeFileSync(join(l2, 'usr/bin/.wh.su'), '');
    writeFileSync(join(l2, 'opt/old/.wh..wh..opq'), '');
    writeFileSync(join(l2, 'opt/old/b'), 'b');
    writeFileSync(join(l2, 'usr/bin/tool'), 'tool v2');
    const save = join(dir, 'save');
    mkdirSync(join(save, 'aaa'), { recursive: true });
    mkdirSync(join(save, 'bbb'), { recursive: true });
    await runTool('tar', ['-cf', join(save, 'aaa/layer.tar'), '-C', l1, '--numeric-owner', '.']);
    await runTool('tar', ['-cf', join(save, 'bbb/layer.tar'), '-C', l2, '--numeric-owner', '.']);
    writeFileSync(join(save, 'manifest.json'), JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]));
    await runTool('tar', ['-cf', join(dir, 'save.tar'), '-C', save, '.']);
    const base = await identifyBase(join(dir, 'save.tar'));
    expect(base.kind).toBe('docker-save');
    const staging = join(dir, 'staging');
    await readBase(base, staging);
    expect(existsSync(join(staging, 'usr/bin/su'))).toBe(false);
    expect(readFileSync(join(staging, 'usr/bin/tool'), 'utf8')).toBe('tool v2');
    expect(existsSync(join(staging, 'opt/old/a'))).toBe(false);
    expect(readFileSync(join(staging, 'opt/old/b'), 'utf8')).toBe('b');
    expect(readFileSync(join(staging, 'opt/keep'), 'utf8')).toBe('keep');
    expect(existsSync(join(staging, 'opt/old/.wh..wh..opq'))).toBe(false);
  });

  it('a docker save archive in the OCI layout (Docker 25+: blobs/sha256/<digest>, a gzip layer)', async () => {
    const dir = fresh();
    const save = join(dir, 'save');
    mkdirSync(join(save, 'blobs/sha256'), { recursive: true });
    await runTool('tar', ['-czf', join(save, 'blobs/sha256/ab12'), '-C', sampleRoot(dir), '--numeric-owner', '.']);
    writeFileSync(join(save, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(save, 'manifest.json'), JSON.stringify([{ Config: 'blobs/sha256/cf', RepoTags: ['x:1'], Layers: ['blobs/sha256/ab12'] }]));
    await runTool('tar', ['-cf', join(dir, 'save.tar'), '-C', save, '.']);
    const base = await identifyBase(join(dir, 'save.tar'));
    expect(base.kind).toBe('docker-save');
    await readBase(base, join(dir, 'staging'));
    expectSample(join(dir, 'staging'));
  });

  it('an upper layer\'s directory replaces a lower layer\'s symlink: nothing is written through it', async () => {
    const dir = fresh();
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const root = join(dir, 'root');
    mkdirSync(root);
    symlinkSync(outside, join(root, 'etc'));
    const layer = join(dir, 'layer');
    mkdirSync(join(layer, 'etc'), { recursive: true });
    writeFileSync(join(layer, 'etc/passwd'), 'x');
    await applyLayer(layer, root);
    expect(lstatSync(join(root, 'etc')).isDirectory()).toBe(true);
    expect(existsSync(join(outside, 'passwd'))).toBe(false);
  });

  it('refuses what is none of them, by path', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'junk'), 'not an image');
    await expect(identifyBase(join(dir, 'junk'))).rejects.toThrow(InputError);
    await expect(identifyBase(join(dir, 'missing'))).rejects.toThrow(/base root not found/);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['two images', JSON.stringify([{ Layers: [] }, { Layers: [] }]), /names 2 images/],
    ['no Layers', JSON.stringify([{}]), /no Layers/],
    ['a layer outside the archive', JSON.stringify([{ Layers: ['../x/layer.tar'] }]), /no Layers/],
  ])('a docker manifest: %s', (_n, text, error) => expect(() => parseDockerManifest(text, 'save.tar')).toThrow(error));
});

describe('the scan of a base root, and --enforce', () => {
  const kinds = (f: readonly Finding[]) => f.map((x) => `${x.path} ${x.kind} ${x.check}`);

  it('names every finding with the doctor check that fails on it', async () => {
    const dir = fresh();
    const root = sampleRoot(dir);
    writeFileSync(join(root, 'usr/bin/ping'), 'ping');
    await runTool('setcap', ['cap_net_raw+ep', join(root, 'usr/bin/ping')]);
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    chmodSync(join(root, 'usr/local/bin'), 0o777);
    mkdirSync(join(root, 'lib/systemd/system'), { recursive: true });
    writeFileSync(join(root, 'lib/systemd/system/x.service'), '');
    writeFileSync(join(root, 'usr/bin/sshd'), '');
    expect(kinds(await scanTree(root))).toEqual([
      '/etc/cron.d/job forbidden-file test_no_cron',
      '/lib/systemd/system/x.service forbidden-file test_no_systemd',
      '/usr/bin/ping file-capability test_no_file_capabilities',
      '/usr/bin/sshd forbidden-file test_no_sshd',
      '/usr/bin/su setuid test_no_setuid_binaries',
      '/usr/local/bin writable-capsem-path test_guest_binary_not_writable',
      '/var/mail setgid test_no_setgid_binaries',
    ]);
  });

  it('--enforce fixes each finding, says so, and the tree then scans clean', async () => {
    const dir = fresh();
    const root = sampleRoot(dir);
    writeFileSync(join(root, 'usr/bin/ping'), 'ping');
    await runTool('setcap', ['cap_net_raw+ep', join(root, 'usr/bin/ping')]);
    const changes = await fixFindings(root, await scanTree(root));
    expect(changes).toEqual([
      '/etc/cron.d/job: removed (cron table)',
      '/usr/bin/ping: file capability removed',
      '/usr/bin/su: setuid/setgid bits stripped (mode 4755 -> 0755)',
      '/var/mail: setuid/setgid bits stripped (mode 2775 -> 0775)',
    ]);
    expect(await scanTree(root)).toEqual([]);
    expect(existsSync(join(root, 'usr/bin/tool'))).toBe(true);
  });

  it('a clean root has no finding', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'r/usr/bin'), { recursive: true });
    writeFileSync(join(dir, 'r/usr/bin/python3'), '');
    expect(await scanTree(join(dir, 'r'))).toEqual([]);
  });
});
